//! Sessions: `/api/me` answers 401 without one, sign-out revokes the cookie
//! everywhere (and needs the CSRF token), and no log line carries a token,
//! a cookie or an address, even at `RUST_LOG=debug`.

use crate::flow::{ask, config, link_in_mail, me, pair, sign_in, use_link};
use crate::helpers::{TestApp, comment};
use crate::smtp::Smtp;

async fn sign_out(app: &TestApp, cookie: &str, csrf: Option<&str>) -> (u16, Vec<String>) {
    let mut rb = app
        .http
        .post(app.path("/auth/sign-out"))
        .header("cookie", cookie);
    if let Some(c) = csrf {
        rb = rb.header("x-csrf-token", c);
    }
    let r = rb.send().await.unwrap();
    let set: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    (r.status().as_u16(), set)
}

#[tokio::test]
async fn me_is_401_without_a_session_and_sign_out_revokes_it() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    let (s, v) = me(&app, None).await;
    assert_eq!(s, 401);
    assert_eq!(v["error"]["field"], "session");
    let (s, v) = me(&app, Some("causerie_session=forged.value")).await;
    assert_eq!((s, &v["error"]["field"]), (401, &"session".into()));
    let cookie = sign_in(&app, &smtp, 1, "ada@example.org", "Ada").await;
    let (s, v) = me(&app, Some(&cookie)).await;
    assert_eq!(s, 200, "{v}");
    let csrf = v["csrf"].as_str().unwrap().to_string();
    // a tampered signature is nobody
    let tampered = format!("{}0", &cookie[..cookie.len() - 1]);
    assert_eq!(me(&app, Some(&tampered)).await.0, 401);
    // sign-out without the CSRF token is refused and changes nothing
    let (s, _) = sign_out(&app, &cookie, None).await;
    assert_eq!(s, 403);
    assert_eq!(me(&app, Some(&cookie)).await.0, 200);
    let (s, set) = sign_out(&app, &cookie, Some(&csrf)).await;
    assert_eq!(s, 204);
    assert!(
        set.iter()
            .any(|c| c.starts_with("causerie_session=;") && c.contains("Max-Age=0")),
        "{set:?}"
    );
    // the old cookie, replayed, no longer works
    let (s, v) = me(&app, Some(&cookie)).await;
    assert_eq!((s, &v["error"]["field"]), (401, &"session".into()));
}

#[tokio::test]
async fn nothing_secret_reaches_the_log_at_debug_level() {
    let smtp = Smtp::up();
    let mut app = TestApp::spawn_logging(&config(&smtp, ""), "debug").await;
    let email = "secret.reader@example.org";
    assert_eq!(ask(&app, email, "Sam", "/posts/a/").await.0, 202);
    let link = link_in_mail(&smtp, 1, email).await;
    let token = link.rsplit('/').next().unwrap().to_string();
    assert_eq!(app.http.get(&link).send().await.unwrap().status(), 200);
    let (s, _, cookie) = use_link(&app, &link).await;
    assert_eq!(s, 303);
    let cookie = pair(&cookie.unwrap());
    let (_, v) = me(&app, Some(&cookie)).await;
    let csrf = v["csrf"].as_str().unwrap().to_string();
    let r = app
        .http
        .post(app.path("/api/comments"))
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .body(comment("/posts/a/", "", "signed in").to_string());
    assert_eq!(app.send(r).await.0, 201);
    assert_eq!(use_link(&app, &link).await.0, 410);
    let log = app.stop();
    assert!(log.contains("reader signed in"), "the log is on: {log}");
    assert!(log.contains("DEBUG"), "at debug level: {log}");
    let id = cookie.trim_start_matches("causerie_session=");
    for secret in [
        token.as_str(),
        id,
        id.split('.').next().unwrap(),
        csrf.as_str(),
        email,
        "secret.reader",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}
