//! `Idempotency-Key` on `POST /api/comments`: a client that retries after a
//! timeout gets the first answer again, on SQLite and on PostgreSQL, also
//! when the two tries reach two instances at once.

use serde_json::Value;

use crate::helpers::{TestApp, comment, open_config};
use crate::pg;

async fn post_keyed(app: &TestApp, body: &Value, key: &str) -> (u16, Value) {
    let (s, _, v) = app
        .send(
            app.http
                .post(app.path("/api/comments"))
                .header("content-type", "application/json")
                .header("idempotency-key", key)
                .body(body.to_string()),
        )
        .await;
    (s, v)
}

async fn a_retry_is_answered_with_the_first_comment(app: &TestApp) {
    let body = comment("/i/", "Ann", "only once");
    let (s1, first) = post_keyed(app, &body, "0b7c6f0e-retry").await;
    assert_eq!(s1, 201, "{first}");
    let (s2, again) = post_keyed(app, &body, "0b7c6f0e-retry").await;
    assert_eq!(s2, 201);
    assert_eq!(again, first, "the same answer, token included");
    let (s3, other) = post_keyed(app, &body, "another-key").await;
    assert_eq!(s3, 201);
    assert_ne!(other["id"], first["id"]);
    let (s4, theirs) = post_keyed(
        app,
        &comment("/i/", "Mallory", "only once"),
        "0b7c6f0e-retry",
    )
    .await;
    assert_eq!(s4, 422, "{theirs}");
    assert_eq!(theirs["error"]["field"], "idempotency-key");
    let (s5, bad) = post_keyed(app, &body, "").await;
    assert_eq!(
        (s5, bad["error"]["field"].as_str()),
        (400, Some("idempotency-key"))
    );
    let v = app.thread("/i/").await;
    assert_eq!(v["count"], 2, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_post_is_stored_once_on_sqlite() {
    let app = TestApp::spawn(&open_config()).await;
    a_retry_is_answered_with_the_first_comment(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_post_is_stored_once_on_postgres() {
    let config = format!(
        "database_url = \"{}\"\n{}",
        pg::fresh_database(),
        open_config()
    );
    let app = TestApp::spawn(&config).await;
    a_retry_is_answered_with_the_first_comment(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_sent_to_two_instances_at_once_makes_one_comment() {
    let config = format!(
        "database_url = \"{}\"\n{}",
        pg::fresh_database(),
        open_config()
    );
    let (a, b) = (TestApp::spawn(&config).await, TestApp::spawn(&config).await);
    for round in 0..10 {
        let body = comment("/two/", "Ann", &format!("round {round}"));
        let key = format!("two-instances-{round}");
        let ((sa, va), (sb, vb)) =
            tokio::join!(post_keyed(&a, &body, &key), post_keyed(&b, &body, &key));
        assert_eq!((sa, sb), (201, 201), "{va} {vb}");
        assert_eq!(va, vb, "round {round}: both answer the one comment");
    }
    let (s, _, export) = b.get("/api/export").await;
    assert_eq!(s, 200);
    assert_eq!(export["comments"].as_array().unwrap().len(), 10, "{export}");
    // tokens made on one instance are good on the other (one shared secret)
    let (s, _, first) = a.get("/api/comments?page=/two/").await;
    assert_eq!(s, 200);
    let id = first["comments"][0]["id"].as_i64().unwrap();
    let body = comment("/two/", "Ann", "round 0");
    let (_, answer) = post_keyed(&a, &body, "two-instances-0").await;
    let (s, _, edited) = b
        .send(
            b.http
                .put(b.path(&format!("/api/comments/{id}")))
                .header("content-type", "application/json")
                .bearer_auth(answer["token"].as_str().unwrap())
                .body(serde_json::json!({"body": "edited on b"}).to_string()),
        )
        .await;
    assert_eq!(s, 200, "{edited}");
}

#[tokio::test]
async fn the_site_may_send_the_key_cross_origin() {
    let app = TestApp::spawn(&open_config()).await;
    let r = app
        .http
        .request(reqwest::Method::OPTIONS, app.path("/api/comments"))
        .header("origin", crate::helpers::SITE)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let allowed = r
        .headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default();
    assert!(allowed.contains("idempotency-key"), "{allowed}");
}
