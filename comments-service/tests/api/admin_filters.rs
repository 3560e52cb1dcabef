//! `/admin` shows why a comment was held and which comment a reply answers,
//! filters by page and searches, and escapes what it shows.

use serde_json::json;

use crate::helpers::{TestApp, open_config};

async fn admin(app: &TestApp, query: &str) -> String {
    let r = app
        .http
        .get(app.path(&format!("/admin{query}")))
        .header("authorization", "Bearer the-admin-token-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn held(app: &TestApp, body: serde_json::Value) -> i64 {
    let (s, _, v) = app.post_json(&body).await;
    assert_eq!(s, 202, "{v}");
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_list_says_why_and_to_whom_and_filters_by_page_and_text() {
    let app = TestApp::spawn(&open_config().replace("\"none\"", "\"first-time\"")).await;
    let first = held(
        &app,
        json!({"page": "/a/", "author": "Ada", "body": "the needle here"}),
    )
    .await;
    let links = "[1](https://1.example) [2](https://2.example) [3](https://3.example) [4](https://4.example)";
    let reply = held(
        &app,
        json!({"page": "/a/", "author": "Bob", "parent": first, "body": links}),
    )
    .await;
    let other = held(
        &app,
        json!({"page": "/b/", "author": "Cy", "body": "100% sure"}),
    )
    .await;

    let all = admin(&app, "").await;
    assert!(all.contains("held: first-time commenter"), "{all}");
    assert!(all.contains("held: too many links"), "{all}");
    assert!(
        all.contains(&format!(
            "reply to <a href=\"#row-{first}\">#{first}</a> by Ada"
        )),
        "{all}"
    );
    assert!(all.contains("Showing: <strong>pending</strong>"));

    let page_b = admin(&app, "?page=/b/").await;
    assert!(page_b.contains(&format!("id=\"row-{other}\"")));
    assert!(!page_b.contains(&format!("id=\"row-{first}\"")));
    assert!(
        page_b.contains("on <strong>/b/</strong>"),
        "the active filter is shown"
    );

    let found = admin(&app, "?status=all&q=needle").await;
    assert!(found.contains(&format!("id=\"row-{first}\"")));
    assert!(!found.contains(&format!("id=\"row-{reply}\"")));
    // a LIKE wildcard is searched for, not used
    let pct = admin(&app, "?q=%25").await;
    assert!(pct.contains(&format!("id=\"row-{other}\"")));
    assert!(!pct.contains(&format!("id=\"row-{first}\"")), "{pct}");

    let xss = admin(&app, "?q=%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(!xss.contains("<script>"), "escaped by the template engine");
    assert!(xss.contains("&lt;script&gt;"));
}
