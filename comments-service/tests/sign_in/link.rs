//! The e-mail link: it works once, expires, never redirects off the site,
//! is rate-limited, and refuses to start without `[mail]`.

use crate::flow::{ask, config, link_in_mail, me, pair, use_link};
use crate::helpers::{SITE, TestApp};
use crate::smtp::Smtp;

#[tokio::test]
async fn a_link_signs_in_once_and_its_page_burns_nothing() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    let (s, v) = ask(&app, "ada@example.org", "Ada", "/posts/a/").await;
    assert_eq!((s, &v), (202, &serde_json::json!({"sent": true})));
    let link = link_in_mail(&smtp, 1, "ada@example.org").await;
    // a mail scanner's GETs show the button page and change nothing
    for _ in 0..2 {
        let r = app.http.get(&link).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        assert_eq!(r.headers()["referrer-policy"], "strict-origin");
        let page = r.text().await.unwrap();
        assert!(page.contains("<form method=\"post\""), "{page}");
    }
    let (s, loc, cookie) = use_link(&app, &link).await;
    assert_eq!(
        (s, loc.as_str()),
        (303, format!("{SITE}/posts/a/").as_str())
    );
    let cookie = cookie.expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "http site: {cookie}");
    let (s, v) = me(&app, Some(&pair(&cookie))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["name"], "Ada");
    assert_eq!(v["verified_by"], "email");
    assert!(v["csrf"].as_str().unwrap().len() >= 32);
    assert!(
        !v.to_string().contains("ada@example.org"),
        "no address: {v}"
    );
    // the link works once
    let (s, _, cookie) = use_link(&app, &link).await;
    assert_eq!((s, cookie), (410, None));
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    assert_eq!(ask(&app, "bob@example.org", "", "/posts/a/").await.0, 202);
    let link = link_in_mail(&smtp, 1, "bob@example.org").await;
    // 15 minutes pass: the stored expiry moves into the past
    let db = rusqlite::Connection::open(&app.db).unwrap();
    let n = db
        .execute(
            "UPDATE sign_in_flows SET expires_us = expires_us - 15 * 60 * 1000000",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    let (s, _, cookie) = use_link(&app, &link).await;
    assert_eq!((s, cookie), (410, None));
    // and a made-up token is refused the same way
    let fake = format!("{}/auth/email/{}", app.url, "ab".repeat(32));
    assert_eq!(use_link(&app, &fake).await.0, 410);
}

#[tokio::test]
async fn a_return_off_the_site_is_refused_and_nothing_is_mailed() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    for bad in [
        "https://evil.example/",
        "//evil.example/posts/a/",
        "http://127.0.0.1:9.evil.example/",
        "javascript:alert(1)",
    ] {
        let (s, v) = ask(&app, "eve@example.org", "", bad).await;
        assert_eq!(s, 400, "{bad}: {v}");
        assert_eq!(v["error"]["field"], "return", "{bad}");
    }
    // a good request after them is the first and only mail
    assert_eq!(ask(&app, "eve@example.org", "", "/posts/a/").await.0, 202);
    assert_eq!(smtp.wait_for(1, 20).await.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn link_requests_are_rate_limited_per_address() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    for i in 0..5 {
        let (s, v) = ask(&app, &format!("r{i}@example.org"), "", "/p/").await;
        assert_eq!(s, 202, "{v}");
    }
    let r = app
        .http
        .post(app.path("/auth/email"))
        .header("content-type", "application/json")
        .body(r#"{"email":"r9@example.org","return":"/p/"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[test]
fn email_sign_in_without_mail_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!("site_url = \"{SITE}\"\n[sign_in]\nemail = true\n"),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_causerie-comments"))
        .args(["--config", cfg.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sign_in.email") && err.contains("[mail]"),
        "{err}"
    );
}

#[tokio::test]
async fn on_an_https_site_the_cookie_is_secure() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "").replace(SITE, "https://blog.example")).await;
    assert_eq!(ask(&app, "ada@example.org", "", "/posts/a/").await.0, 202);
    let link = link_in_mail(&smtp, 1, "ada@example.org").await;
    let (s, loc, cookie) = use_link(&app, &link).await;
    assert_eq!((s, loc.as_str()), (303, "https://blog.example/posts/a/"));
    let cookie = cookie.unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // the site's http twin is another origin: not a place to return to
    let (s, v) = ask(&app, "ada@example.org", "", "http://blog.example/posts/a/").await;
    assert_eq!((s, &v["error"]["field"]), (400, &"return".into()));
}
