//! Webmentions and pingbacks tell the owner too (new or held, why it was
//! held), through the same outbox, against the real SMTP server.

use crate::fixture::{Fixture, Service, TARGET, entry, ping};
use crate::smtp::Smtp;

fn config(smtp: &Smtp, moderation: &str) -> String {
    format!(
        "site_url = \"http://127.0.0.1:9\"\nmoderation = \"{moderation}\"\nallow_private_addresses = true\nsecret = \"a-test-secret-of-32-characters!!\"\n\n[mail]\nsmtp_url = \"{}\"\nfrom = \"Blog <blog@blog.example>\"\nowner = \"owner@blog.example\"\n",
        smtp.url()
    )
}

#[tokio::test]
async fn a_new_webmention_and_a_pingback_each_mail_the_owner_once() {
    let smtp = Smtp::up();
    let fx = Fixture::start();
    let svc = Service::start(&config(&smtp, "none"));
    fx.page(
        "/reply",
        entry(&format!(
            r#"<a class="u-in-reply-to" href="{TARGET}">re</a><p class="e-content">Nice post</p>"#
        )),
    );
    svc.webmention(&fx.url("/reply"), TARGET).await;
    svc.drained().await;
    let got = smtp.wait_for(1, 20).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let plain = got[0]["plain"].as_str().unwrap();
    assert!(plain.contains("Alice"), "{plain}");
    assert!(
        plain.contains(&fx.url("/reply")),
        "the source is named: {plain}"
    );
    assert_eq!(got[0]["headers"]["to"], "owner@blog.example");

    // the same source again (an update): no second mail
    svc.webmention(&fx.url("/reply"), TARGET).await;
    svc.drained().await;
    fx.page(
        "/pb",
        format!(r#"<!doctype html><title>t</title><p>See <a href="{TARGET}">this</a>.</p>"#),
    );
    let answer = svc.xmlrpc(ping(&fx.url("/pb"), TARGET)).await;
    assert!(!answer.contains("<fault>"), "{answer}");
    svc.drained().await;
    let got = smtp.wait_for(2, 20).await;
    assert_eq!(got.len(), 2, "one per new mention: {got:?}");
    assert!(got[1]["plain"].as_str().unwrap().contains(&fx.url("/pb")));
}

#[tokio::test]
async fn a_held_webmention_says_why_and_offers_approval() {
    let smtp = Smtp::up();
    let fx = Fixture::start();
    let svc = Service::start(&config(&smtp, "first-time"));
    fx.page(
        "/like",
        entry(&format!(r#"<a class="u-like-of" href="{TARGET}">l</a>"#)),
    );
    svc.webmention(&fx.url("/like"), TARGET).await;
    svc.drained().await;
    let got = smtp.wait_for(1, 20).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let plain = got[0]["plain"].as_str().unwrap();
    assert!(plain.contains("first comment"), "the reason: {plain}");
    assert!(
        got[0]["headers"]["subject"]
            .as_str()
            .unwrap()
            .contains("waits for moderation")
    );
    assert_eq!(crate::smtp::links(plain, "moderate").len(), 3, "{plain}");
}
