//! The owner's moderation links: a GET changes nothing, the POST from its page
//! acts once; a tampered or expired link is refused.

use causerie_comments::mail::links::ModerationLink;
use causerie_comments::store::Action;
use causerie_comments::tokens::Keys;

use crate::delivery::mail_config;
use crate::helpers::{TestApp, comment, items};
use crate::smtp::{Smtp, links};

/// A held comment and the owner's mail about it: (app, smtp, comment id, links).
async fn held() -> (TestApp, Smtp, i64, Vec<String>) {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "all", "")).await;
    let (s, _, v) = app
        .post_json(&comment("/posts/l/", "Ada", "please approve"))
        .await;
    assert_eq!(s, 202);
    let got = smtp.wait_for(1, 20).await;
    let plain = got[0]["plain"].as_str().unwrap().to_string();
    assert!(
        plain.contains("every comment is moderated"),
        "the reason: {plain}"
    );
    let l = links(&plain, "moderate");
    assert_eq!(l.len(), 3, "approve, reject, spam: {plain}");
    (app, smtp, v["id"].as_i64().unwrap(), l)
}

fn token(link: &str) -> String {
    link.split("t=").nth(1).unwrap().to_string()
}

async fn published(app: &TestApp) -> usize {
    items(&app.thread("/posts/l/").await).len()
}

#[tokio::test]
async fn get_shows_a_confirmation_and_only_the_post_approves_once() {
    let (app, _smtp, _id, l) = held().await;
    let r = app.http.get(&l[0]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(page.contains("<form method=\"post\""), "{page}");
    assert!(page.contains("please approve"));
    assert_eq!(published(&app).await, 0, "a GET changes nothing");
    let r = app
        .http
        .post(app.path("/mail/moderate"))
        .form(&[("t", token(&l[0]))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(published(&app).await, 1, "the POST approved it");
    // the mail's links act once: its reject link is now refused
    let r = app
        .http
        .post(app.path("/mail/moderate"))
        .form(&[("t", token(&l[1]))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(published(&app).await, 1);
}

#[tokio::test]
async fn a_tampered_link_is_refused() {
    let (app, _smtp, id, l) = held().await;
    let t = token(&l[1]); // reject
    // turn "reject" into "approve", keeping the signature
    let forged = t.replacen(".reject.", ".approve.", 1);
    assert_ne!(forged, t);
    for bad in [
        forged,
        t.replacen(&format!(".{id}."), &format!(".{}.", id + 1), 1),
    ] {
        let r = app
            .http
            .post(app.path("/mail/moderate"))
            .form(&[("t", &bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let r = app
            .http
            .get(app.path(&format!("/mail/moderate?t={bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    assert_eq!(published(&app).await, 0);
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let (app, _smtp, id, l) = held().await;
    let mail: i64 = token(&l[0]).split('.').next().unwrap().parse().unwrap();
    // a link signed with the service's key that expired a second ago
    let keys = Keys::new(b"a-test-secret-of-32-characters!!");
    let expired = ModerationLink {
        mail,
        comment: id,
        action: Action::Approve,
        expires: jiff::Timestamp::now().as_second() - 1,
    }
    .token(&keys);
    let r = app
        .http
        .post(app.path("/mail/moderate"))
        .form(&[("t", &expired)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    assert_eq!(published(&app).await, 0);
    // the same link, not yet expired, works: only the time was wrong
    let fresh = ModerationLink {
        mail,
        comment: id,
        action: Action::Approve,
        expires: jiff::Timestamp::now().as_second() + 60,
    }
    .token(&keys);
    let r = app
        .http
        .post(app.path("/mail/moderate"))
        .form(&[("t", &fresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(published(&app).await, 1);
}
