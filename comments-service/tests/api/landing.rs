//! Without JavaScript, the page a reader lands on after posting shows their
//! comment (marked as awaiting moderation when held), in the site's
//! language, and still after a reload; with JavaScript, embed.js reads a held
//! comment back with its edit token.

use reqwest::header::HeaderMap;
use serde_json::json;

use crate::helpers::{SITE, TestApp, open_config};

fn posted_cookie(h: &HeaderMap) -> String {
    let c = h
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("causerie_posted="))
        .expect("the edit token is kept in a cookie");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/posted/"] {
        assert!(c.contains(part), "{c}");
    }
    c.split(';').next().unwrap().to_string()
}

async fn landing(app: &TestApp, to: &str, cookie: Option<&str>) -> (u16, String) {
    let mut rb = app.http.get(app.path(to));
    if let Some(c) = cookie {
        rb = rb.header("cookie", c);
    }
    let r = rb.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_held_form_post_lands_on_its_text_marked_and_it_stays_for_its_author() {
    let cfg = open_config().replace("\"none\"", "\"all\"");
    let app = TestApp::spawn(&cfg).await;
    let (s, h, _) = app
        .post_form(
            &[
                ("landing", "posted"),
                ("page", "/posts/f/"),
                ("author", "Nojs <b>"),
                ("body", "Held *text*"),
            ],
            &[("origin", SITE)],
        )
        .await;
    assert_eq!(s, 303);
    let to = h["location"].to_str().unwrap().to_string();
    let cookie = posted_cookie(&h);
    for _reload in 0..2 {
        let (s, html) = landing(&app, &to, Some(&cookie)).await;
        assert_eq!(s, 200);
        assert!(html.contains("Held <em>text</em>"), "{html}");
        assert!(
            html.contains("Nojs") && !html.contains("Nojs <b>"),
            "{html}"
        );
        assert!(
            html.contains("class=\"comment-pending\""),
            "marked held: {html}"
        );
        assert!(html.contains("awaiting moderation"));
        assert!(
            html.contains(&format!("href=\"{SITE}/posts/f/#comments\"")),
            "{html}"
        );
    }
    // anyone else (no cookie, or another comment's token): nothing shown
    let (s, html) = landing(&app, &to, None).await;
    assert_eq!(s, 404);
    assert!(!html.contains("Held"));
    let other = to.replace("/posted/", "/posted/9");
    let (s, html) = landing(&app, &other, Some(&cookie)).await;
    assert_eq!(s, 404);
    assert!(!html.contains("Held"));
    assert_eq!(
        app.thread("/posts/f/").await["count"],
        0,
        "still held for others"
    );
}

#[tokio::test]
async fn the_landing_page_speaks_the_site_language_right_to_left() {
    let cfg = format!("language = \"fa\"\n{}", open_config());
    let app = TestApp::spawn(&cfg).await;
    let (s, h, _) = app
        .post_form(
            &[
                ("landing", "posted"),
                ("page", "/p/"),
                ("author", "سارا"),
                ("body", "سلام"),
            ],
            &[("origin", SITE)],
        )
        .await;
    assert_eq!(s, 303);
    let cookie = posted_cookie(&h);
    let (s, html) = landing(&app, h["location"].to_str().unwrap(), Some(&cookie)).await;
    assert_eq!(s, 200);
    assert!(html.contains("<html lang=\"fa\" dir=\"rtl\">"), "{html}");
    assert!(
        html.contains("دیدگاه شما منتشر شد"),
        "published, in Persian"
    );
    assert!(!html.contains("comment-pending"));
}

#[tokio::test]
async fn embed_reads_a_held_comment_back_with_its_edit_token() {
    let app = TestApp::spawn(&open_config().replace("\"none\"", "\"all\"")).await;
    let (s, _, v) = app
        .post_json(&json!({"page": "/p/", "author": "Js", "body": "wait for me"}))
        .await;
    assert_eq!(s, 202);
    let (id, token) = (v["id"].as_i64().unwrap(), v["token"].as_str().unwrap());
    let get = |tok: Option<String>, id: i64| {
        let mut rb = app.http.get(app.path(&format!("/api/comments/{id}")));
        if let Some(t) = tok {
            rb = rb.header("authorization", format!("Bearer {t}"));
        }
        app.send(rb)
    };
    let (s, h, v) = get(Some(token.to_string()), id).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "held");
    assert_eq!(v["comment"]["body_html"], "<p>wait for me</p>\n");
    assert!(h["cache-control"].to_str().unwrap().contains("no-store"));
    assert!(v.get("token").is_none() && !v.to_string().contains(token));
    let (s, _, _) = get(None, id).await;
    assert_eq!(s, 401);
    let (s, _, _) = get(Some(token.to_string()), id + 1).await;
    assert_eq!(s, 403, "a token reads only its own comment");
    // deleted by its author: gone
    let r = app
        .http
        .delete(app.path(&format!("/api/comments/{id}")))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (s, _, _) = get(Some(token.to_string()), id).await;
    assert_eq!(s, 404);
}
