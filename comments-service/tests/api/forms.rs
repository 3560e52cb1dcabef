//! The no-JS HTML form: 303 with markers, origin checks, the error page.

use crate::helpers::{SITE, TestApp, open_config};

#[tokio::test]
async fn a_form_post_redirects_back_with_the_published_marker() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, h, _) = app
        .post_form(
            &[
                ("page", "/posts/f/"),
                ("parent", ""),
                ("author", "Form"),
                ("body", "by form"),
                ("homepage", ""),
            ],
            &[("origin", SITE)],
        )
        .await;
    assert_eq!(s, 303);
    let loc = h["location"].to_str().unwrap();
    let t = app.thread("/posts/f/").await;
    let id = t["comments"][0]["id"].as_i64().unwrap();
    assert_eq!(
        loc,
        format!("{SITE}/posts/f/?comment={id}#comment-published")
    );
}

#[tokio::test]
async fn a_held_form_post_gets_the_held_marker() {
    let app = TestApp::spawn(&open_config().replace("\"none\"", "\"all\"")).await;
    let (s, h, _) = app
        .post_form(
            &[("page", "/posts/f/"), ("author", "F"), ("body", "b")],
            &[],
        )
        .await;
    assert_eq!(s, 303);
    assert!(h["location"].to_str().unwrap().ends_with("#comment-held"));
    assert_eq!(
        app.thread("/posts/f/").await["count"],
        0,
        "held comments are invisible"
    );
}

#[tokio::test]
async fn the_themes_form_lands_on_the_page_that_shows_the_comment() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, h, _) = app
        .post_form(
            &[
                ("page", "/posts/f/"),
                ("author", "Form"),
                ("body", "by form"),
                ("landing", "posted"),
            ],
            &[("origin", SITE)],
        )
        .await;
    assert_eq!(s, 303);
    let loc = h["location"].to_str().unwrap();
    let t = app.thread("/posts/f/").await;
    let id = t["comments"][0]["id"].as_i64().unwrap();
    assert_eq!(loc, format!("/posted/{id}"), "see tests/api/landing.rs");
}

#[tokio::test]
async fn a_form_from_another_site_is_refused_and_stores_nothing() {
    let app = TestApp::spawn(&open_config()).await;
    let f = [
        ("page", "/posts/f/"),
        ("author", "F"),
        ("body", "cross-site"),
    ];
    let (s, _, html) = app
        .post_form(&f, &[("origin", "https://evil.example")])
        .await;
    assert_eq!(s, 403);
    assert!(html.contains("another site"), "{html}");
    let (s, _, _) = app
        .post_form(&f, &[("referer", "https://evil.example/page")])
        .await;
    assert_eq!(s, 403);
    let (s, _, _) = app.post_form(&f, &[("origin", "null")]).await;
    assert_eq!(s, 403);
    assert_eq!(app.thread("/posts/f/").await["count"], 0);
    // neither header: accepted; the site's own Referer: accepted
    let (s, _, _) = app.post_form(&f, &[]).await;
    assert_eq!(s, 303);
    let (s, _, _) = app
        .post_form(&f, &[("referer", &format!("{SITE}/posts/f/"))])
        .await;
    assert_eq!(s, 303);
    assert_eq!(app.thread("/posts/f/").await["count"], 2);
}

#[tokio::test]
async fn a_refused_form_post_gives_the_text_back_and_names_the_field() {
    let app = TestApp::spawn(&open_config()).await;
    let typed = "My long <thoughtful> comment & more";
    let (s, h, html) = app
        .post_form(
            &[
                ("page", "/posts/f/"),
                ("author", ""),
                ("email", "x@example.com"),
                ("body", typed),
            ],
            &[("origin", SITE)],
        )
        .await;
    assert_eq!(s, 400);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(
        html.contains("data-field=\"author\"") && html.contains("your name"),
        "{html}"
    );
    assert!(
        html.contains("My long &lt;thoughtful&gt; comment &amp; more"),
        "the text must come back escaped: {html}"
    );
    assert!(html.contains("value=\"x@example.com\""));
    assert!(
        html.contains(&format!("href=\"{SITE}/posts/f/\"")),
        "a link back to the page"
    );
    assert!(!html.contains("<thoughtful>"));
}

#[tokio::test]
async fn a_form_post_asking_for_json_gets_json() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, _, body) = app
        .post_form(
            &[("page", "/posts/f/"), ("author", "F"), ("body", "b")],
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(s, 201);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["token"].is_string());
}
