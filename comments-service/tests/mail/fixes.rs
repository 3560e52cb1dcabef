//! Two fixes of issue 14: approving does not mark a comment "edited", and
//! first-time trust needs a verified address or the commenter's signed token,
//! never the public name alone.

use serde_json::json;

use crate::delivery::mail_config;
use crate::helpers::{TestApp, items};
use crate::smtp::{Smtp, links};

/// Approves `id` through the owner's mail (the `n`th one).
async fn approve(app: &TestApp, smtp: &Smtp, n: usize) {
    let got = smtp.wait_for(n, 20).await;
    let link = links(got[n - 1]["plain"].as_str().unwrap(), "moderate")[0].clone();
    let t = link.split("t=").nth(1).unwrap();
    let r = app
        .http
        .post(app.path("/mail/moderate"))
        .form(&[("t", t)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn approving_does_not_mark_a_comment_edited_but_the_export_still_sees_it() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "all", "")).await;
    let (s, _, _) = app
        .post_json(&json!({"page": "/posts/e/", "author": "Ada", "body": "held"}))
        .await;
    assert_eq!(s, 202);
    let (_, _, before) = app.get("/api/export").await;
    let cursor = before["cursor"].as_str().unwrap().to_string();
    // approval comes a second later, so a bumped `updated` would differ
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    approve(&app, &smtp, 1).await;
    let thread = app.thread("/posts/e/").await;
    let c = items(&thread)[0];
    assert_eq!(c["updated"], c["created"], "not edited: {c}");
    let (_, _, since) = app.get(&format!("/api/export?since={cursor}")).await;
    assert_eq!(
        items(&since).len(),
        1,
        "the incremental export still brings the approved comment: {since}"
    );
}

#[tokio::test]
async fn an_approved_name_alone_is_not_trusted() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "first-time", "")).await;
    let (s, _, first) = app
        .post_json(&json!({"page": "/posts/t/", "author": "Ada", "body": "first"}))
        .await;
    assert_eq!(s, 202);
    approve(&app, &smtp, 1).await;
    let token = first["commenter"].as_str().unwrap();
    // someone else with the same name
    let (s, _, _) = app
        .post_json(&json!({"page": "/posts/t/", "author": "Ada", "body": "impostor"}))
        .await;
    assert_eq!(s, 202, "the name alone is held");
    // the same commenter, with the token of the approved comment
    let (s, _, _) = app
        .post_json(
            &json!({"page": "/posts/t/", "author": "Ada", "body": "me again",
            "commenter": token}),
        )
        .await;
    assert_eq!(s, 201, "the signed token is trusted");
    // a forged token is not
    let forged = format!("{}.{}", &token[..32], "00".repeat(32));
    let (s, _, _) = app
        .post_json(
            &json!({"page": "/posts/t/", "author": "Ada", "body": "forged",
            "commenter": forged}),
        )
        .await;
    assert_eq!(s, 202);
    // the no-JS form keeps it in a cookie
    let (s, h, _) = app
        .post_form(
            &[
                ("landing", "posted"),
                ("page", "/posts/t/"),
                ("author", "Ada"),
                ("body", "by form"),
            ],
            &[("cookie", &format!("causerie_commenter={token}"))],
        )
        .await;
    assert_eq!(s, 303);
    assert!(h["location"].to_str().unwrap().starts_with("/posted/"));
    assert!(
        app.thread("/posts/t/")
            .await
            .to_string()
            .contains("by form"),
        "published at once"
    );
    assert!(h["set-cookie"].to_str().unwrap().contains("HttpOnly"));
}

#[tokio::test]
async fn a_confirmed_address_is_a_verified_identity() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "first-time", "")).await;
    let reader = "ada@readers.example";
    let (s, _, _) = app
        .post_json(
            &json!({"page": "/posts/v/", "author": "Ada", "email": reader,
            "body": "first", "notify": true}),
        )
        .await;
    assert_eq!(s, 202);
    approve(&app, &smtp, 1).await;
    // the confirmation mail (after approval); confirming verifies the address
    let got = smtp.wait_for(2, 20).await;
    let confirm = links(got[1]["plain"].as_str().unwrap(), "confirm")[0].clone();
    let t = confirm.split("t=").nth(1).unwrap();
    let r = app
        .http
        .post(&confirm)
        .form(&[("t", t)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, _, _) = app
        .post_json(&json!({"page": "/posts/v/", "author": "Ada", "email": reader, "body": "again"}))
        .await;
    assert_eq!(
        s, 201,
        "a confirmed address of an approved commenter is trusted"
    );
}
