//! Comments of signed-in readers: CSRF, `verified`, the owner's mark,
//! login-only blogs, and editing one's own comment from another device.

use serde_json::{Value, json};

use crate::flow::{OWNER, config, me, sign_in};
use crate::helpers::{SITE, TestApp, comment, items};
use crate::smtp::Smtp;

/// POST /api/comments as JSON with a session cookie and maybe its CSRF token.
async fn post(app: &TestApp, cookie: &str, csrf: Option<&str>, body: &Value) -> (u16, Value) {
    let mut rb = app
        .http
        .post(app.path("/api/comments"))
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(body.to_string());
    if let Some(c) = csrf {
        rb = rb.header("x-csrf-token", c);
    }
    let (s, _, v) = app.send(rb).await;
    (s, v)
}

async fn csrf(app: &TestApp, cookie: &str) -> String {
    let (s, v) = me(app, Some(cookie)).await;
    assert_eq!(s, 200, "{v}");
    v["csrf"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_signed_in_post_needs_its_csrf_token_and_is_verified() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    let cookie = sign_in(&app, &smtp, 1, "ada@example.org", "Ada").await;
    let token = csrf(&app, &cookie).await;
    // forged: the cookie rides along but the token does not
    let (s, v) = post(&app, &cookie, None, &comment("/posts/a/", "X", "forged")).await;
    assert_eq!((s, &v["error"]["field"]), (403, &"csrf".into()), "{v}");
    let (s, v) = post(
        &app,
        &cookie,
        Some("0".repeat(32).as_str()),
        &comment("/posts/a/", "X", "forged"),
    )
    .await;
    assert_eq!(s, 403, "{v}");
    let form = app
        .post_form(
            &[
                ("page", "/posts/a/"),
                ("author", "X"),
                ("body", "forged form"),
            ],
            &[("cookie", cookie.as_str())],
        )
        .await;
    assert_eq!(form.0, 403, "{}", form.2);
    assert!(
        items(&app.thread("/posts/a/").await).is_empty(),
        "nothing stored"
    );
    // with the token: posted under the identity's name, verified
    let (s, v) = post(
        &app,
        &cookie,
        Some(&token),
        &comment("/posts/a/", "Not Ada", "hello"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["comment"]["author"], "Ada");
    assert_eq!(v["comment"]["verified"], true);
    assert_eq!(v["comment"]["is_owner"], false);
    // a form carries the token as a hidden field
    let form = app
        .post_form(
            &[
                ("page", "/posts/a/"),
                ("body", "by form"),
                ("csrf", token.as_str()),
            ],
            &[("cookie", cookie.as_str())],
        )
        .await;
    assert_eq!(form.0, 303, "{}", form.2);
    let (s, _, v) = app
        .post_json(&comment("/posts/a/", "Anon", "anonymous"))
        .await;
    assert_eq!(s, 201, "{v}");
    let thread = app.thread("/posts/a/").await;
    let all = items(&thread);
    assert_eq!(all.len(), 3, "{thread}");
    let verified: Vec<(&str, bool)> = all
        .iter()
        .map(|c| {
            (
                c["author"].as_str().unwrap(),
                c["verified"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(verified, [("Ada", true), ("Ada", true), ("Anon", false)]);
    assert!(!thread.to_string().contains("ada@example.org"));
    let (s, _, export) = app.get("/api/export").await;
    assert_eq!(s, 200);
    assert_eq!(
        export["sign_in"],
        json!({"required": false, "email": true, "indieauth": false, "oidc": []})
    );
    let flags: Vec<bool> = export["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["verified"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [true, true, false]);
    // the admin list marks them
    let r = app
        .http
        .get(app.path("/admin?status=all"))
        .header("authorization", "Bearer the-admin-token-123")
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert_eq!(page.matches("class=\"verified\"").count(), 2, "{page}");
}

#[tokio::test]
async fn the_owner_signed_in_by_mail_gets_the_author_mark() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    let cookie = sign_in(&app, &smtp, 1, OWNER, "The Owner").await;
    let token = csrf(&app, &cookie).await;
    let (s, v) = post(
        &app,
        &cookie,
        Some(&token),
        &comment("/posts/a/", "", "mine"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["comment"]["is_owner"], true);
    assert_eq!(v["comment"]["verified"], true);
}

#[tokio::test]
async fn a_login_only_blog_refuses_anonymous_posts() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "required = true")).await;
    let (s, _, v) = app
        .post_json(&comment("/posts/a/", "Anon", "let me in"))
        .await;
    assert_eq!(s, 401, "{v}");
    assert_eq!(
        v["error"],
        json!({"field": "session", "message": "You must be signed in to comment."})
    );
    let (s, h, _) = app
        .post_form(
            &[("page", "/posts/a/"), ("author", "Anon"), ("body", "no js")],
            &[],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(
        h["location"],
        format!("{SITE}/posts/a/#sign-in-required").as_str()
    );
    assert!(
        items(&app.thread("/posts/a/").await).is_empty(),
        "nothing stored"
    );
    let (_, _, export) = app.get("/api/export").await;
    assert_eq!(export["sign_in"]["required"], true);
    // the owner's token still posts; a signed-in reader too
    let r = app
        .http
        .post(app.path("/api/comments"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer the-admin-token-123")
        .body(comment("/posts/a/", "Owner", "by token").to_string());
    assert_eq!(app.send(r).await.0, 201);
    let cookie = sign_in(&app, &smtp, 1, "ada@example.org", "Ada").await;
    let token = csrf(&app, &cookie).await;
    let (s, v) = post(&app, &cookie, Some(&token), &comment("/posts/a/", "", "in")).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(items(&app.thread("/posts/a/").await).len(), 2);
}

#[tokio::test]
async fn a_reader_edits_and_deletes_from_another_device() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    let laptop = sign_in(&app, &smtp, 1, "ada@example.org", "Ada").await;
    let t = csrf(&app, &laptop).await;
    let (s, v) = post(
        &app,
        &laptop,
        Some(&t),
        &comment("/posts/a/", "", "typo hree"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["comment"]["id"].as_i64().unwrap();
    // the phone: a fresh client that only has its own session cookie
    let phone_http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let phone = sign_in(&app, &smtp, 2, "ADA@example.org", "Ada").await;
    let pt = csrf(&app, &phone).await;
    let edit = |cookie: &str, token: Option<&str>, body: &str| {
        let mut rb = phone_http
            .put(app.path(&format!("/api/comments/{id}")))
            .header("content-type", "application/json")
            .header("cookie", cookie)
            .body(json!({"body": body}).to_string());
        if let Some(t) = token {
            rb = rb.header("x-csrf-token", t);
        }
        rb
    };
    // without the CSRF token: refused, unchanged
    let (s, _, v) = app.send(edit(&phone, None, "forged")).await;
    assert_eq!((s, &v["error"]["field"]), (403, &"csrf".into()), "{v}");
    let (s, _, v) = app.send(edit(&phone, Some(&pt), "typo here")).await;
    assert_eq!(s, 200, "{v}");
    assert!(
        v["comment"]["body_html"]
            .as_str()
            .unwrap()
            .contains("typo here")
    );
    // someone else signed in may not
    let eve = sign_in(&app, &smtp, 3, "eve@example.org", "Eve").await;
    let et = csrf(&app, &eve).await;
    let (s, _, v) = app.send(edit(&eve, Some(&et), "mine now")).await;
    assert_eq!((s, &v["error"]["field"]), (403, &"token".into()), "{v}");
    // nor anyone without a session or token
    let (s, _, _) = app
        .send(phone_http.delete(app.path(&format!("/api/comments/{id}"))))
        .await;
    assert_eq!(s, 401);
    let (s, _, _) = app
        .send(
            phone_http
                .delete(app.path(&format!("/api/comments/{id}")))
                .header("cookie", &phone)
                .header("x-csrf-token", &pt),
        )
        .await;
    assert_eq!(s, 204);
    assert!(items(&app.thread("/posts/a/").await).is_empty());
}
