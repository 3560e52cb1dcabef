//! `GET/POST /api/comments`, `PUT/DELETE /api/comments/{id}`, CORS, errors.

use serde_json::json;

use crate::helpers::{SITE, TestApp, comment, items, open_config};

#[tokio::test]
async fn a_posted_comment_is_answered_201_with_id_and_token_and_then_read_back() {
    let app = TestApp::spawn(&open_config()).await;
    let (s, _, v) = app
        .post_json(
            &json!({"page": "/posts/a/", "author": "Ada", "email": "ada@example.com",
            "website": "ada.example", "body": "Hello *there*"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    assert!(v["token"].as_str().unwrap().len() >= 32);
    assert_eq!(v["status"], "published");
    let t = app.thread("/posts/a/").await;
    assert_eq!(t["page"], "/posts/a/");
    assert_eq!(t["count"], 1);
    let c = &t["comments"][0];
    assert_eq!(c["id"], id);
    assert_eq!(c["author"], "Ada");
    assert_eq!(c["website"], "https://ada.example/");
    assert_eq!(c["body_html"], "<p>Hello <em>there</em></p>\n");
    assert_eq!(c["kind"], "comment");
    assert_eq!(c["parent"], serde_json::Value::Null);
    assert_eq!(c["is_owner"], false);
    assert!(c["created"].as_str().unwrap().ends_with('Z'));
    let all = t.to_string();
    assert!(!all.contains("ada@example.com"), "e-mail leaked: {all}");
    assert!(!all.contains(v["token"].as_str().unwrap()), "token leaked");
}

#[tokio::test]
async fn replies_nest_at_any_depth_and_parent_must_be_on_the_same_page() {
    let app = TestApp::spawn(&open_config()).await;
    let mut parent = serde_json::Value::Null;
    let mut ids = vec![];
    for depth in 0..5 {
        let (s, _, v) = app
            .post_json(&json!({"page": "/p/", "author": "A", "body": format!("level {depth}"), "parent": parent}))
            .await;
        assert_eq!(s, 201, "{v}");
        parent = v["id"].clone();
        ids.push(v["id"].as_i64().unwrap());
    }
    let t = app.thread("/p/").await;
    assert_eq!(t["count"], 5);
    let mut node = &t["comments"][0];
    for id in &ids[1..] {
        node = &node["replies"][0];
        assert_eq!(node["id"], *id);
    }
    // parent on another page
    let (s, _, v) = app
        .post_json(&json!({"page": "/other/", "author": "A", "body": "x", "parent": ids[0]}))
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["field"], "parent");
    // parent that does not exist, and one that is not a number
    let (s, _, v) = app
        .post_json(&json!({"page": "/p/", "author": "A", "body": "x", "parent": 99999}))
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("parent")));
    let (s, _, v) = app
        .post_json(&json!({"page": "/p/", "author": "A", "body": "x", "parent": "abc"}))
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("parent")));
    assert_eq!(app.thread("/other/").await["count"], 0);
}

#[tokio::test]
async fn refused_fields_are_named_and_store_nothing() {
    let app = TestApp::spawn(&open_config()).await;
    let cases = [
        (json!({"page": "/p/", "author": "A"}), "body"),
        (json!({"page": "/p/", "author": "A", "body": "   "}), "body"),
        (json!({"page": "/p/", "body": "x"}), "author"),
        (
            json!({"page": "/p/", "author": "<>", "body": "x", "website": "javascript:alert(1)"}),
            "website",
        ),
        (
            json!({"page": "/p/", "author": "A", "body": "x", "email": "not an address"}),
            "email",
        ),
        (json!({"author": "A", "body": "x"}), "page"),
        (
            json!({"page": "https://evil.example/p/", "author": "A", "body": "x"}),
            "page",
        ),
        (
            json!({"page": "/p/", "author": ["A"], "body": "x"}),
            "author",
        ),
        (
            json!({"page": "/p/", "author": "A", "body": "x".repeat(10_001)}),
            "body",
        ),
    ];
    for (body, field) in cases {
        let (s, _, v) = app.post_json(&body).await;
        assert!((400..500).contains(&s), "{body}: {s}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // not JSON at all, and a JSON array
    let (s, _, v) = app
        .send(
            app.http
                .post(app.path("/api/comments"))
                .header("content-type", "application/json")
                .body("{nope"),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("body")));
    let (s, _, _) = app
        .send(
            app.http
                .post(app.path("/api/comments"))
                .header("content-type", "text/plain")
                .body("hi"),
        )
        .await;
    assert_eq!(s, 415);
    assert_eq!(app.thread("/p/").await["count"], 0);
    let (s, _, v) = app.get("/api/comments").await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("page")));
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let cfg = open_config().replacen("moderation", "max_body_bytes = 2048\nmoderation", 1);
    let app = TestApp::spawn(&cfg).await;
    let (s, _, v) = app.post_json(&comment("/p/", "A", &"y".repeat(4000))).await;
    assert_eq!(s, 413, "{v}");
    assert_eq!(v["error"]["field"], "body");
}

#[tokio::test]
async fn hostile_bodies_names_and_websites_come_back_without_markup() {
    let app = TestApp::spawn(&open_config()).await;
    let bodies = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<a href=\"http://x\" onclick=\"alert(1)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<svg onload=alert(1)>",
        "![x](https://x.example/a.png \"onerror=alert(1)\")",
        "<style>body{display:none}</style>",
        "```\n</code><script>alert(1)</script>\n```",
        "<details open ontoggle=alert(1)>",
    ];
    for b in bodies {
        let (s, _, v) = app
            .post_json(&json!({"page": "/h/", "author": "<script>alert('n')</script>\"><img src=x>", "website": "https://x.example/\"><script>", "body": b}))
            .await;
        assert_eq!(s, 201, "{b}: {v}");
    }
    let t = app.thread("/h/").await;
    let all = items(&t);
    assert_eq!(all.len(), bodies.len());
    for c in all {
        let html = c["body_html"].as_str().unwrap().to_lowercase();
        // look only inside tags: escaped text such as "&lt;img onerror" is harmless
        for tag in html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
        {
            let name = tag
                .trim_start_matches('/')
                .split([' ', '\n'])
                .next()
                .unwrap_or("");
            assert!(
                [
                    "p",
                    "a",
                    "em",
                    "strong",
                    "code",
                    "pre",
                    "del",
                    "br",
                    "blockquote",
                    "ul",
                    "ol",
                    "li",
                    "hr"
                ]
                .contains(&name),
                "<{tag}> in {html}"
            );
            for bad in ["javascript:", "data:", " on", "style="] {
                assert!(!tag.contains(bad), "{bad} in <{tag}>");
            }
        }
        let author = c["author"].as_str().unwrap();
        assert!(
            !author.contains('<') && !author.contains('>') && !author.contains('"'),
            "{author}"
        );
        let site = c["website"].as_str().unwrap();
        assert!(
            site.starts_with("https://") && !site.contains('<') && !site.contains('"'),
            "{site}"
        );
    }
    // links that survive carry rel="nofollow ugc noopener"
    let (_, _, _) = app
        .post_json(&comment("/l/", "A", "[ok](https://ok.example/)"))
        .await;
    let t = app.thread("/l/").await;
    let html = t["comments"][0]["body_html"].as_str().unwrap();
    assert!(
        html.contains("rel=\"nofollow ugc noopener\"") && html.contains("https://ok.example/"),
        "{html}"
    );
}

#[tokio::test]
async fn cors_allows_the_site_origin_only() {
    let app = TestApp::spawn(&open_config()).await;
    let pre = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.path("/api/comments"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let (_, h, _) = app.send(pre(SITE)).await;
    assert_eq!(h.get("access-control-allow-origin").unwrap(), SITE);
    let (_, h, _) = app.send(pre("https://evil.example")).await;
    assert!(h.get("access-control-allow-origin").is_none());
    let (_, h, _) = app
        .send(
            app.http
                .get(app.path("/api/comments?page=/p/"))
                .header("origin", "https://evil.example"),
        )
        .await;
    assert!(h.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn edit_and_delete_need_the_token_and_the_window() {
    let app = TestApp::spawn(&open_config()).await;
    let (_, _, a) = app.post_json(&comment("/e/", "A", "first")).await;
    let (_, _, b) = app.post_json(&comment("/e/", "B", "second")).await;
    let (ida, ta) = (
        a["id"].as_i64().unwrap(),
        a["token"].as_str().unwrap().to_string(),
    );
    let tb = b["token"].as_str().unwrap();
    let put = |id: i64, token: Option<&str>, body: &str| {
        let mut r = app
            .http
            .put(app.path(&format!("/api/comments/{id}")))
            .header("content-type", "application/json")
            .body(json!({"body": body}).to_string());
        if let Some(t) = token {
            r = r.header("authorization", format!("Bearer {t}"));
        }
        r
    };
    let (s, _, v) = app.send(put(ida, None, "hacked")).await;
    assert_eq!((s, v["error"]["field"].as_str()), (401, Some("token")));
    let (s, _, v) = app.send(put(ida, Some(tb), "hacked")).await;
    assert_eq!((s, v["error"]["field"].as_str()), (403, Some("token")));
    let (s, _, _) = app.send(put(ida, Some("00ff"), "hacked")).await;
    assert_eq!(s, 403);
    assert!(app.thread("/e/").await.to_string().contains("first"));
    let (s, _, v) = app.send(put(ida, Some(&ta), "**edited**")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["comment"]["body_html"],
        "<p><strong>edited</strong></p>\n"
    );
    let (s, _, v) = app.send(put(ida, Some(&ta), "")).await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("body")));
    assert!(
        app.thread("/e/")
            .await
            .to_string()
            .contains("<strong>edited</strong>")
    );
    // delete: wrong token changes nothing, right token removes it
    let del = |id: i64, t: &str| {
        app.http
            .delete(app.path(&format!("/api/comments/{id}")))
            .header("authorization", format!("Bearer {t}"))
    };
    let (s, _, _) = app.send(del(ida, tb)).await;
    assert_eq!(s, 403);
    assert_eq!(app.thread("/e/").await["count"], 2);
    let (s, _, _) = app.send(del(ida, &ta)).await;
    assert_eq!(s, 204);
    assert_eq!(app.thread("/e/").await["count"], 1);
    let (s, _, _) = app.send(del(ida, &ta)).await;
    assert_eq!(s, 404);
    let (s, _, v) = app
        .send(
            app.http
                .delete(app.path("/api/comments/abc"))
                .header("authorization", "Bearer x"),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (404, Some("id")));
}

#[tokio::test]
async fn the_edit_window_closes() {
    let cfg = open_config().replacen("moderation", "edit_window_minutes = 0\nmoderation", 1);
    let app = TestApp::spawn(&cfg).await;
    let (_, _, a) = app.post_json(&comment("/w/", "A", "first")).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let r = app
        .http
        .delete(app.path(&format!("/api/comments/{}", a["id"])))
        .header(
            "authorization",
            format!("Bearer {}", a["token"].as_str().unwrap()),
        );
    let (s, _, v) = app.send(r).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (403, Some("token")),
        "{v}"
    );
    assert_eq!(app.thread("/w/").await["count"], 1);
}

#[tokio::test]
async fn the_site_owner_posts_with_the_admin_token_and_is_marked() {
    let cfg = open_config().replace("moderation = \"none\"", "moderation = \"all\"");
    let app = TestApp::spawn(&cfg).await;
    let r = app
        .http
        .post(app.path("/api/comments"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer the-admin-token-123")
        .body(comment("/o/", "Site author", "from the owner").to_string());
    let (s, _, v) = app.send(r).await;
    assert_eq!(s, 201, "{v}");
    let (s, _, _) = app.post_json(&comment("/o/", "Reader", "held")).await;
    assert_eq!(s, 202);
    let t = app.thread("/o/").await;
    assert_eq!(t["count"], 1);
    assert_eq!(t["comments"][0]["is_owner"], true);
}

#[tokio::test]
async fn counts_healthz_embed_and_unknown_routes() {
    let app = TestApp::spawn(&open_config()).await;
    for _ in 0..3 {
        app.post_json(&comment("/c1/", "A", "x")).await;
    }
    let (s, _, v) = app.get("/api/counts?page=/c1/&page=/c2/").await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({"counts": {"/c1/": 3, "/c2/": 0}}));
    let (s, _, v) = app.get("/api/counts").await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("page")));
    let many: String = (0..201).map(|i| format!("page=/p{i}/&")).collect();
    let (s, _, _) = app.get(&format!("/api/counts?{many}")).await;
    assert_eq!(s, 400);
    let r = app.http.get(app.path("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.get(app.path("/embed.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = r.text().await.unwrap();
    assert!(js.contains("causerie:token:"));
    let (s, _, v) = app.get("/nope").await;
    assert_eq!((s, v["error"]["field"].as_str()), (404, Some("path")));
}

#[tokio::test]
async fn concurrent_first_comments_on_a_new_page_all_land() {
    let app = TestApp::spawn(&open_config()).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (http, url) = (app.http.clone(), app.path("/api/comments"));
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("content-type", "application/json")
                .body(comment("/brand-new/", "A", &format!("first {i}")).to_string())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    assert_eq!(app.thread("/brand-new/").await["count"], 20);
}

#[tokio::test]
async fn no_email_token_or_secret_reaches_the_log() {
    let mut app = TestApp::spawn(&open_config()).await;
    let (_, _, v) = app
        .post_json(
            &json!({"page": "/log/", "author": "A", "email": "private@example.com", "body": "x"}),
        )
        .await;
    let token = v["token"].as_str().unwrap().to_string();
    let put = app
        .http
        .put(app.path(&format!("/api/comments/{}", v["id"])))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(json!({"body": "y"}).to_string());
    assert_eq!(app.send(put).await.0, 200);
    let wrong = app
        .http
        .post(app.path("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=a-wrong-guess-of-the-token");
    assert_eq!(app.send(wrong).await.0, 403);
    let right = app
        .http
        .post(app.path("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=the-admin-token-123");
    assert_eq!(app.send(right).await.0, 303);
    let log = app.stop();
    assert!(log.contains("comment stored"), "the log is written: {log}");
    for secret in [
        "private@example.com",
        &token,
        "the-admin-token-123",
        "a-wrong-guess",
    ] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

#[tokio::test]
async fn a_refused_write_in_a_group_commit_does_not_undo_its_neighbours() {
    let app = TestApp::spawn(&open_config()).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (http, url) = (app.http.clone(), app.path("/api/comments"));
        // every other one answers a parent that does not exist: refused inside the writer
        let parent = if i % 2 == 0 {
            serde_json::Value::Null
        } else {
            json!(987_654)
        };
        let body = json!({"page": "/g/", "author": "A", "body": format!("n{i}"), "parent": parent});
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            (i, r.status().as_u16())
        }));
    }
    for t in tasks {
        let (i, s) = t.await.unwrap();
        assert_eq!(s, if i % 2 == 0 { 201 } else { 422 }, "request {i}");
    }
    let t = app.thread("/g/").await;
    assert_eq!(t["count"], 20);
    let text = t.to_string();
    for i in (1..40).step_by(2) {
        assert!(
            !text.contains(&format!(">n{i}<")),
            "refused n{i} was stored"
        );
    }
}
