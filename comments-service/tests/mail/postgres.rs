//! Mail on PostgreSQL: two instances of the service on one database, each
//! with its outbox worker, send every owner mail exactly once, and a mail's
//! link acts once whichever instance serves it.

use std::collections::HashSet;
use std::time::Duration;

use crate::delivery::{OWNER, mail_config};
use crate::helpers::{TestApp, comment};
use crate::pg;
use crate::smtp::Smtp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_send_each_owner_mail_once() {
    let smtp = Smtp::up();
    let extra = format!("database_url = \"{}\"", pg::fresh_database());
    let config = mail_config(&smtp, "none", &extra);
    let (a, b) = (TestApp::spawn(&config).await, TestApp::spawn(&config).await);
    let mut ids = HashSet::new();
    for i in 0..12 {
        let app = if i % 2 == 0 { &a } else { &b };
        let (s, _, v) = app
            .post_json(&comment("/posts/pg/", "Ada", &format!("note {i} end")))
            .await;
        assert_eq!(s, 201, "{v}");
        ids.insert(v["id"].as_i64().unwrap());
    }
    let got = smtp.wait_for(12, 30).await;
    // room for a second, wrong delivery to arrive before counting
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = if got.len() >= 12 {
        smtp.messages()
    } else {
        got
    };
    assert_eq!(got.len(), 12, "one mail per comment: {got:?}");
    let message_ids: HashSet<_> = got
        .iter()
        .map(|m| m["headers"]["message-id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(message_ids.len(), 12, "no mail sent twice");
    for m in &got {
        assert_eq!(m["headers"]["to"], OWNER);
    }
    let bodies: HashSet<_> = got
        .iter()
        .filter_map(|m| {
            let plain = m["plain"].as_str().unwrap();
            (0..12).find(|i| plain.contains(&format!("note {i} end")))
        })
        .collect();
    assert_eq!(bodies.len(), 12, "every comment's mail, not one twice");
    assert_eq!(ids.len(), 12);
}

/// The owner's mail from one instance acts on the other, once: its approve
/// link used on B publishes the comment, its reject link then refused on A.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_link_acts_once_across_instances() {
    let smtp = Smtp::up();
    let extra = format!("database_url = \"{}\"", pg::fresh_database());
    let config = mail_config(&smtp, "all", &extra);
    let (a, b) = (TestApp::spawn(&config).await, TestApp::spawn(&config).await);
    let (s, _, _) = a
        .post_json(&comment("/posts/pg/", "Ada", "approve me elsewhere"))
        .await;
    assert_eq!(s, 202);
    let got = smtp.wait_for(1, 30).await;
    let plain = got[0]["plain"].as_str().unwrap();
    let l = crate::smtp::links(plain, "moderate");
    assert_eq!(l.len(), 3, "approve, reject, spam: {plain}");
    let token = |link: &str| link.split("t=").nth(1).unwrap().to_string();
    let act = |app: &TestApp, link: &str| {
        app.http
            .post(app.path("/mail/moderate"))
            .form(&[("t", token(link))])
            .send()
    };
    assert_eq!(act(&b, &l[0]).await.unwrap().status(), 200, "approved on B");
    assert_eq!(
        act(&a, &l[1]).await.unwrap().status(),
        409,
        "used, on A too"
    );
    let end = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let n = crate::helpers::items(&a.thread("/posts/pg/").await).len();
        if n == 1 {
            break;
        }
        assert!(std::time::Instant::now() < end, "A never shows it ({n})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
