//! The owner's mail through the outbox: it arrives, survives an SMTP outage
//! and `kill -9`, is sent once, and nothing private reaches the log.

use serde_json::json;

use crate::helpers::{SITE, TestApp, comment};
use crate::smtp::{Smtp, links};

pub const OWNER: &str = "owner@blog.example";

/// A config with `[mail]` pointing at `smtp` and `moderation`.
pub fn mail_config(smtp: &Smtp, moderation: &str, extra: &str) -> String {
    format!(
        "site_url = \"{SITE}\"\nmoderation = \"{moderation}\"\nadmin_token = \"the-admin-token-123\"\nsecret = \"a-test-secret-of-32-characters!!\"\n{extra}\n[limits]\ncomments_per_minute = 0\n\n[mail]\nsmtp_url = \"{}\"\nfrom = \"Blog <blog@blog.example>\"\nowner = \"{OWNER}\"\n",
        smtp.url()
    )
}

#[tokio::test]
async fn the_owner_gets_a_multipart_mail_per_new_comment() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "none", "")).await;
    let (s, _, v) = app
        .post_json(&comment("/posts/a/", "Ada", "Hello *there*, owner"))
        .await;
    assert_eq!(s, 201, "{v}");
    let got = smtp.wait_for(1, 20).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["headers"]["to"], OWNER);
    assert_eq!(m["content_type"], "multipart/alternative");
    assert!(
        m["headers"]["subject"]
            .as_str()
            .unwrap()
            .contains("/posts/a/")
    );
    assert!(
        m["headers"]["message-id"]
            .as_str()
            .unwrap()
            .starts_with("<causerie.")
    );
    assert!(
        m["plain"]
            .as_str()
            .unwrap()
            .contains("Hello *there*, owner")
    );
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("lang=\"en\" dir=\"ltr\""), "{html}");
    assert!(html.contains("Hello *there*, owner"));
    // a published comment can be rejected or marked as spam, not approved
    let plain = m["plain"].as_str().unwrap();
    assert_eq!(links(plain, "moderate").len(), 2, "{plain}");
    assert!(m["headers"].get("list-unsubscribe").is_none());
}

#[tokio::test]
async fn a_right_to_left_site_gets_right_to_left_mails_in_its_language() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "all", "language = \"fa\"")).await;
    let (s, _, _) = app.post_json(&comment("/posts/a/", "سارا", "سلام")).await;
    assert_eq!(s, 202);
    let got = smtp.wait_for(1, 20).await;
    let html = got[0]["html"].as_str().unwrap();
    assert!(html.contains("lang=\"fa\" dir=\"rtl\""), "{html}");
    assert!(
        html.contains("پذیرفتن"),
        "the approve link in Persian: {html}"
    );
    assert!(
        got[0]["headers"]["subject"]
            .as_str()
            .unwrap()
            .contains("انتظار")
    );
}

#[tokio::test]
async fn an_smtp_outage_delays_the_mail_and_it_is_delivered_once() {
    let mut smtp = Smtp::down();
    let app = TestApp::spawn(&mail_config(&smtp, "none", "")).await;
    let (s, _, _) = app
        .post_json(&comment("/posts/a/", "Ada", "while down"))
        .await;
    assert_eq!(
        s, 201,
        "comments are accepted while the SMTP server is down"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(smtp.messages().is_empty());
    smtp.start();
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got.len(), 1, "delivered after the outage");
    assert!(got[0]["plain"].as_str().unwrap().contains("while down"));
    // the next retries would have come by now: still one
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(smtp.messages().len(), 1, "sent once");
}

#[tokio::test]
async fn a_due_mail_survives_kill_9_and_is_sent_once_after_restart() {
    let mut smtp = Smtp::down();
    let mut app = TestApp::spawn(&mail_config(&smtp, "all", "")).await;
    let (s, _, _) = app
        .post_json(&comment("/posts/a/", "Ada", "before the crash"))
        .await;
    assert_eq!(s, 202);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.kill9();
    smtp.start();
    app.start();
    let got = smtp.wait_for(1, 30).await;
    assert_eq!(got.len(), 1);
    assert!(
        got[0]["plain"]
            .as_str()
            .unwrap()
            .contains("before the crash")
    );
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(smtp.messages().len(), 1, "exactly once");
}

#[tokio::test]
async fn no_address_token_or_link_reaches_the_log() {
    let smtp = Smtp::up();
    let mut app = TestApp::spawn(&mail_config(&smtp, "first-time", "")).await;
    let reader = "reader-secret@readers.example";
    let (s, _, v) = app
        .post_json(
            &json!({"page": "/posts/a/", "author": "Ada", "email": reader,
            "body": "first", "notify": true}),
        )
        .await;
    assert_eq!(s, 202, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let owner_mail = smtp.wait_for(1, 20).await;
    let approve = links(owner_mail[0]["plain"].as_str().unwrap(), "moderate")[0].clone();
    let form = [("t", approve.split("t=").nth(1).unwrap())];
    let r = app.http.post(&approve).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let got = smtp.wait_for(2, 20).await;
    let confirm = links(got[1]["plain"].as_str().unwrap(), "confirm")[0].clone();
    let t = confirm.split("t=").nth(1).unwrap().to_string();
    let r = app
        .http
        .post(&confirm)
        .form(&[("t", &t)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = app.stop();
    assert!(log.contains("notification sent"), "the flow ran: {log}");
    for secret in [
        reader,
        OWNER,
        "blog@blog.example",
        token.as_str(),
        t.as_str(),
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
    assert!(!log.contains("/mail/"), "a link is in the log:\n{log}");
}
