//! Sessions on PostgreSQL, shared by two instances of the service: a link
//! asked for on one is used on the other, the session works on both, and
//! signing out on one revokes it on the other.

use crate::flow::{ask, config, link_in_mail, me, pair, use_link};
use crate::helpers::{TestApp, comment, items};
use crate::pg;
use crate::smtp::Smtp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_links_and_sessions() {
    let smtp = Smtp::up();
    let cfg = format!(
        "database_url = \"{}\"\n{}",
        pg::fresh_database(),
        config(&smtp, "")
    );
    let (a, b) = (TestApp::spawn(&cfg).await, TestApp::spawn(&cfg).await);
    assert_eq!(ask(&a, "ada@example.org", "Ada", "/posts/pg/").await.0, 202);
    let link = link_in_mail(&smtp, 1, "ada@example.org").await;
    // the link names instance a; instance b serves its POST
    let on_b = link.replace(&a.url, &b.url);
    assert_ne!(on_b, link);
    let (s, _, cookie) = use_link(&b, &on_b).await;
    assert_eq!(s, 303);
    let cookie = pair(&cookie.unwrap());
    assert_eq!(
        use_link(&a, &link).await.0,
        410,
        "used once across instances"
    );
    let (s, v) = me(&a, Some(&cookie)).await;
    assert_eq!((s, &v["name"]), (200, &"Ada".into()), "{v}");
    let csrf = v["csrf"].as_str().unwrap().to_string();
    let r = b
        .http
        .post(b.path("/api/comments"))
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .body(comment("/posts/pg/", "", "from b").to_string());
    let (s, _, v) = b.send(r).await;
    assert_eq!((s, &v["comment"]["verified"]), (201, &true.into()), "{v}");
    let thread = a.thread("/posts/pg/").await;
    assert_eq!(items(&thread)[0]["verified"], true);
    let r = b
        .http
        .post(b.path("/auth/sign-out"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(me(&a, Some(&cookie)).await.0, 401, "revoked on a too");
}
