//! `/admin`: sign-in, bulk moderation, anti-forgery.

use crate::helpers::{TestApp, comment, open_config};

pub(crate) async fn login(app: &TestApp) -> String {
    let r = app
        .http
        .post(app.path("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=the-admin-token-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let c = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
    c.split(';').next().unwrap().to_string()
}

fn csrf(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn admin_needs_the_token() {
    let app = TestApp::spawn(&open_config()).await;
    let r = app.http.get(app.path("/admin")).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("name=\"token\"") && !html.contains("name=\"csrf\""));
    let r = app
        .http
        .post(app.path("/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    let forged = app
        .http
        .get(app.path("/admin"))
        .header("cookie", "causerie_admin=99999999999.abcd")
        .send()
        .await
        .unwrap();
    assert!(!forged.text().await.unwrap().contains("name=\"csrf\""));
    let r = app
        .http
        .post(app.path("/admin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("action=approve&id=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn admin_is_off_without_a_token() {
    let app =
        TestApp::spawn(&open_config().replace("admin_token = \"the-admin-token-123\"\n", "")).await;
    assert_eq!(
        app.http
            .get(app.path("/admin"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn bulk_approve_publishes_and_trusts_the_commenter() {
    let app = TestApp::spawn(&open_config().replace("\"none\"", "\"first-time\"")).await;
    let (mut ids, mut commenters) = (vec![], vec![]);
    for i in 0..3 {
        let (s, _, v) = app
            .post_json(&serde_json::json!({"page": "/m/", "author": format!("R{i}"), "email": format!("r{i}@example.com"), "body": format!("held {i}")}))
            .await;
        assert_eq!(s, 202);
        ids.push(v["id"].as_i64().unwrap());
        commenters.push(v["commenter"].as_str().unwrap().to_string());
    }
    let cookie = login(&app).await;
    let html = app
        .http
        .get(app.path("/admin"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("held 0") && html.contains("r1@example.com"),
        "{html}"
    );
    let token = csrf(&html);
    // without the anti-forgery value: refused
    let bad = app
        .http
        .post(app.path("/admin"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("action=approve&id={}", ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    // from another origin: refused
    let bad = app
        .http
        .post(app.path("/admin"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&action=approve&id={}", ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    assert_eq!(app.thread("/m/").await["count"], 0);
    let ok = app
        .http
        .post(app.path("/admin"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={token}&status=pending&action=approve&id={}&id={}",
            ids[0], ids[1]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert!(
        ok.headers()["location"]
            .to_str()
            .unwrap()
            .contains("done=2")
    );
    assert_eq!(app.thread("/m/").await["count"], 2);
    // spam and reject hide; the approved commenter now skips moderation
    let ok = app
        .http
        .post(app.path("/admin"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&action=spam&id={}", ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(app.thread("/m/").await["count"], 1);
    let (s, _, _) = app
        .post_json(&serde_json::json!({"page": "/m/", "author": "R1", "email": "R1@example.com", "body": "again", "commenter": commenters[1]}))
        .await;
    assert_eq!(
        s, 201,
        "a commenter with an approved comment is trusted (by their token)"
    );
    let (s, _, _) = app.post_json(&comment("/m/", "Stranger", "new")).await;
    assert_eq!(s, 202);
}
