//! Mail on PostgreSQL: two instances of the service on one database, each
//! with its outbox worker, send every owner mail exactly once.

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
