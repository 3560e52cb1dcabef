//! Readers who ask (`notify`) to hear about replies: a confirmation mail
//! first, nothing else before they confirm, one mail per approved reply (never
//! before approval), one-click unsubscribe (RFC 8058) and the manage page.

use serde_json::{Value, json};

use crate::delivery::{OWNER, mail_config};
use crate::helpers::TestApp;
use crate::smtp::{Smtp, links};

const READER: &str = "reader@readers.example";

fn to<'a>(msgs: &'a [Value], addr: &str) -> Vec<&'a Value> {
    msgs.iter().filter(|m| m["headers"]["to"] == addr).collect()
}

fn plain(m: &Value) -> &str {
    m["plain"].as_str().unwrap()
}

/// POSTs the form of the page a mail link opens (its `t`, plus `extra`).
async fn press(app: &TestApp, link: &str, extra: &[(&str, &str)]) -> u16 {
    let t = link.split("t=").nth(1).unwrap();
    let path = link.split('?').next().unwrap();
    let mut form = vec![("t", t)];
    form.extend_from_slice(extra);
    app.http
        .post(path)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Waits for the `n`th mail to `addr`.
async fn nth_to(smtp: &Smtp, addr: &str, n: usize) -> Value {
    for _ in 0..200 {
        let all = smtp.messages();
        if let Some(m) = to(&all, addr).get(n - 1) {
            return (*m).clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no mail #{n} to {addr}: {:?}", smtp.messages());
}

/// Lets the outbox run, then counts the mails to `addr`.
async fn settled_count(smtp: &Smtp, addr: &str) -> usize {
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    to(&smtp.messages(), addr).len()
}

async fn post(app: &TestApp, body: Value) -> i64 {
    let (s, _, v) = app.post_json(&body).await;
    assert!(s == 201 || s == 202, "{s} {v}");
    v["id"].as_i64().unwrap()
}

fn reply(parent: i64, author: &str, text: &str) -> Value {
    json!({"page": "/posts/r/", "parent": parent, "author": author, "body": text})
}

#[tokio::test]
async fn a_subscriber_confirms_first_then_gets_each_reply_with_one_click_unsubscribe() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "none", "")).await;
    let first = post(
        &app,
        json!({"page": "/posts/r/", "author": "Ada", "email": READER,
        "body": "tell me", "notify": "on"}),
    )
    .await;
    let confirm = nth_to(&smtp, READER, 1).await;
    assert!(
        !plain(&confirm).contains("tell me"),
        "no comment text in a confirmation"
    );
    let confirm_link = links(plain(&confirm), "confirm")[0].clone();
    // a reply before confirming: nothing goes to the unconfirmed address
    post(&app, reply(first, "Bob", "too early")).await;
    assert_eq!(
        settled_count(&smtp, READER).await,
        1,
        "only the confirmation"
    );
    // a GET (a mail scanner) does not confirm
    let r = app.http.get(&confirm_link).send().await.unwrap();
    assert_eq!(r.status(), 200);
    post(&app, reply(first, "Bob", "still early")).await;
    assert_eq!(settled_count(&smtp, READER).await, 1);
    assert_eq!(press(&app, &confirm_link, &[]).await, 200);
    assert_eq!(press(&app, &confirm_link, &[]).await, 409, "confirms once");
    post(&app, reply(first, "Cy", "welcome reply")).await;
    let m = nth_to(&smtp, READER, 2).await;
    assert!(plain(&m).contains("welcome reply"), "{m}");
    assert!(plain(&m).contains("Cy"));
    let unsub = m["headers"]["list-unsubscribe"].as_str().unwrap();
    assert_eq!(
        m["headers"]["list-unsubscribe-post"],
        "List-Unsubscribe=One-Click"
    );
    let unsub = unsub.trim_matches(|c| c == '<' || c == '>');
    assert!(unsub.contains("/mail/unsubscribe?t="));
    // RFC 8058: the mail client POSTs this body to the URL, nothing else
    let r = app
        .http
        .post(unsub)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    post(&app, reply(first, "Dee", "after unsubscribing")).await;
    assert_eq!(
        settled_count(&smtp, READER).await,
        2,
        "nothing after unsubscribing"
    );
    // the owner heard about each of the five comments
    assert_eq!(to(&smtp.messages(), OWNER).len(), 5);
}

#[tokio::test]
async fn a_held_comment_mails_nobody_and_a_held_reply_is_mailed_when_approved() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "all", "")).await;
    let first = post(
        &app,
        json!({"page": "/posts/r/", "author": "Ada", "email": READER,
        "body": "held, with notify", "notify": true}),
    )
    .await;
    let owner1 = nth_to(&smtp, OWNER, 1).await;
    assert_eq!(
        settled_count(&smtp, READER).await,
        0,
        "no confirmation before the owner approves (no spam relay)"
    );
    assert_eq!(
        press(&app, &links(plain(&owner1), "moderate")[0], &[]).await,
        200
    );
    let confirm = nth_to(&smtp, READER, 1).await;
    assert_eq!(
        press(&app, &links(plain(&confirm), "confirm")[0], &[]).await,
        200
    );
    post(&app, reply(first, "Bob", "a held reply")).await;
    let owner2 = nth_to(&smtp, OWNER, 2).await;
    assert_eq!(settled_count(&smtp, READER).await, 1, "not before approval");
    assert_eq!(
        press(&app, &links(plain(&owner2), "moderate")[0], &[]).await,
        200
    );
    let m = nth_to(&smtp, READER, 2).await;
    assert!(plain(&m).contains("a held reply"));
    assert_eq!(settled_count(&smtp, READER).await, 2, "one mail per reply");
}

#[tokio::test]
async fn the_manage_page_lists_and_deletes_subscriptions() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&mail_config(&smtp, "none", "")).await;
    let a = post(
        &app,
        json!({"page": "/posts/r/", "author": "Ada", "email": READER,
        "body": "one", "notify": true}),
    )
    .await;
    let c1 = nth_to(&smtp, READER, 1).await;
    assert_eq!(
        press(&app, &links(plain(&c1), "confirm")[0], &[]).await,
        200
    );
    post(
        &app,
        json!({"page": "/posts/m/", "author": "Ada", "email": READER,
        "body": "two", "notify": true}),
    )
    .await;
    nth_to(&smtp, READER, 2).await;
    post(&app, reply(a, "Bob", "hello Ada")).await;
    let m = nth_to(&smtp, READER, 3).await;
    let manage = links(plain(&m), "manage")[0].clone();
    let page = app
        .http
        .get(&manage)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/posts/r/") && page.contains("/posts/m/"),
        "{page}"
    );
    assert!(page.contains("not confirmed"), "{page}");
    assert!(!page.contains(READER), "the page does not show the address");
    assert_eq!(press(&app, &manage, &[("id", "all")]).await, 200);
    let page = app
        .http
        .get(&manage)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("no subscriptions"), "{page}");
    post(&app, reply(a, "Bob", "again")).await;
    assert_eq!(settled_count(&smtp, READER).await, 3);
}
