//! The service's own words are in the site's `language`: the refusals
//! embed.js shows and the no-JS error page, right to left for Persian;
//! English keeps the detailed messages.

use serde_json::json;

use crate::helpers::{SITE, TestApp, open_config};

#[tokio::test]
async fn refusals_are_in_the_site_language() {
    let fr = TestApp::spawn(&format!("language = \"fr\"\n{}", open_config())).await;
    let (s, _, v) = fr
        .post_json(
            &json!({"page": "/p/", "author": "A", "body": "x", "website": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["field"], "website");
    assert_eq!(
        v["error"]["message"],
        "Donnez une adresse qui commence par http:// ou https://."
    );
    let en = TestApp::spawn(&open_config()).await;
    let (_, _, v) = en
        .post_json(
            &json!({"page": "/p/", "author": "A", "body": "x", "website": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(v["error"]["message"], "give an http or https address");
}

#[tokio::test]
async fn the_no_js_error_page_reads_right_to_left_in_persian() {
    let app = TestApp::spawn(&format!("language = \"fa\"\n{}", open_config())).await;
    let (s, _, html) = app
        .post_form(
            &[("page", "/p/"), ("author", "سارا"), ("body", "")],
            &[("origin", SITE)],
        )
        .await;
    assert_eq!(s, 400);
    assert!(html.contains("<html lang=\"fa\" dir=\"rtl\">"), "{html}");
    assert!(
        html.contains("دیدگاه شما فرستاده نشد"),
        "the title in Persian"
    );
    assert!(html.contains("دیدگاه شما خالی یا بیش از اندازه بلند است."));
    assert!(html.contains("value=\"سارا\""), "the text is given back");
    assert!(!html.contains("Your comment was not sent"));
}

#[tokio::test]
async fn edit_and_delete_refusals_are_in_the_site_language_too() {
    let fr = TestApp::spawn(&format!("language = \"fr\"\n{}", open_config())).await;
    let (s, _, v) = fr
        .post_json(&json!({"page": "/p/", "author": "A", "body": "x"}))
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, _, v) = fr
        .send(
            fr.http
                .delete(fr.path(&format!("/api/comments/{id}")))
                .header("authorization", "Bearer not-the-token"),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(v["error"]["field"], "token");
    assert_eq!(
        v["error"]["message"],
        "Vous ne pouvez plus modifier ce commentaire."
    );
    let (s, _, v) = fr
        .send(
            fr.http
                .put(fr.path("/api/comments/999"))
                .header("authorization", "Bearer x")
                .header("content-type", "application/json")
                .body("{\"body\":\"y\"}"),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(fr.thread("/p/").await["count"], 1, "nothing changed");
}
