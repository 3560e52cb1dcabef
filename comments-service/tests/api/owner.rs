//! The owner replies without a hand-typed token: the `causerie_owner` cookie
//! set at sign-in marks the embed's posts from the site, and `/admin` has a
//! reply form per comment (session + anti-forgery value).

use serde_json::json;

use crate::helpers::{SITE, TestApp, items, open_config};

/// Signs in: (admin cookie, owner cookie) as `name=value`.
async fn login(app: &TestApp) -> (String, String) {
    let r = app
        .http
        .post(app.path("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=the-admin-token-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let all: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let owner = all
        .iter()
        .find(|c| c.starts_with("causerie_owner="))
        .expect("the owner cookie is set");
    for part in ["Path=/api/comments", "HttpOnly", "SameSite=Lax"] {
        assert!(owner.contains(part), "{owner}");
    }
    let admin = all
        .iter()
        .find(|c| c.starts_with("causerie_admin="))
        .unwrap();
    let first = |c: &str| c.split(';').next().unwrap().to_string();
    (first(admin), first(owner))
}

async fn post_with(
    app: &TestApp,
    cookie: &str,
    origin: Option<&str>,
    body: &str,
) -> serde_json::Value {
    let mut rb = app
        .http
        .post(app.path("/api/comments"))
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(json!({"page": "/p/", "author": "Me", "body": body}).to_string());
    if let Some(o) = origin {
        rb = rb.header("origin", o);
    }
    let (_, _, v) = app.send(rb).await;
    v
}

#[tokio::test]
async fn the_owner_cookie_marks_posts_from_the_site_only() {
    let app = TestApp::spawn(&open_config().replace("\"none\"", "\"all\"")).await;
    let (_, owner) = login(&app).await;

    let mine = post_with(&app, &owner, Some(SITE), "from the post page").await;
    assert_eq!(mine["status"], "published", "{mine}");
    assert_eq!(mine["comment"]["is_owner"], true, "{mine}");

    // the same cookie from another site, without Origin, or forged: a reader
    let evil = post_with(&app, &owner, Some("https://evil.example"), "evil").await;
    assert!(
        evil.get("error").is_some() || evil["comment"]["is_owner"] == false,
        "{evil}"
    );
    let bare = post_with(&app, &owner, None, "no origin").await;
    assert_eq!(bare["status"], "held", "{bare}");
    assert_eq!(bare["comment"]["is_owner"], false);
    let forged = owner.replace('.', ".0");
    let f = post_with(&app, &forged, Some(SITE), "forged").await;
    assert_eq!(f["comment"]["is_owner"], false, "{f}");
    assert_eq!(f["status"], "held");

    let thread = app.thread("/p/").await;
    let shown = items(&thread);
    assert_eq!(
        shown.len(),
        1,
        "only the owner's comment is published: {thread}"
    );
    assert_eq!(shown[0]["is_owner"], true);

    // the embed's credentialed fetch is allowed by CORS for the site only
    let r = app
        .http
        .request(reqwest::Method::OPTIONS, app.path("/api/comments"))
        .header("origin", SITE)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert_eq!(r.headers()["access-control-allow-origin"], SITE);

    // signing out clears the owner cookie too
    let r = app
        .http
        .post(app.path("/admin/logout"))
        .send()
        .await
        .unwrap();
    let cleared = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("causerie_owner=;"));
    assert!(cleared);
}

fn value_of(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html.find(&key).unwrap() + key.len();
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn the_owner_replies_from_admin_beside_each_comment() {
    let app = TestApp::spawn(&open_config().replace("\"none\"", "\"all\"")).await;
    let (s, _, v) = app
        .post_json(&json!({"page": "/p/", "author": "Reader", "body": "a question"}))
        .await;
    assert_eq!(s, 202, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (admin, _) = login(&app).await;
    let html = app
        .http
        .get(app.path("/admin"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("form id=\"reply-{id}\"")), "{html}");
    assert!(html.contains(&format!("form=\"reply-{id}\"")));
    let csrf = value_of(&html, "csrf");

    let reply = |csrf: String| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", csrf.as_str()),
                ("parent", &id.to_string()),
                ("page", "/p/"),
                ("author", "The Author"),
                ("body", "an *answer*"),
                ("status", "pending"),
            ])
            .finish();
        app.http
            .post(app.path("/admin/reply"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &admin)
            .body(body)
    };
    // without the anti-forgery value: refused, nothing stored
    let r = reply("0000".into()).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let (_, _, all) = app
        .send(
            app.http
                .get(app.path("/api/export"))
                .header("authorization", "Bearer the-admin-token-123"),
        )
        .await;
    assert!(!all.to_string().contains("answer"), "{all}");

    let r = reply(csrf).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/admin?status=pending") && to.contains("&replied="),
        "{to}"
    );
    let remembered = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .find(|v| v.to_str().unwrap().starts_with("causerie_owner_name="))
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    // published at once although every comment is moderated, and the owner's
    let (_, _, all) = app
        .send(
            app.http
                .get(app.path("/api/export"))
                .header("authorization", "Bearer the-admin-token-123"),
        )
        .await;
    let mine = all["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["body_html"]
                .as_str()
                .unwrap()
                .contains("an <em>answer</em>")
        })
        .unwrap_or_else(|| panic!("{all}"));
    assert_eq!(mine["is_owner"], true);
    assert_eq!(mine["parent"], id);
    assert_eq!(mine["author"], "The Author");
    let page = app
        .http
        .get(app.path(&to))
        .header("cookie", format!("{admin}; {remembered}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"replied\""), "{page}");
    assert!(
        page.contains("value=\"The Author\""),
        "the name is offered again"
    );
    let (_, _, v) = app
        .post_json(&json!({"page": "/p/", "author": "x", "body": "y"}))
        .await;
    assert_eq!(v["status"], "held", "readers are still moderated");
}
