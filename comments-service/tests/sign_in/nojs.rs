//! Without JavaScript: the service's own comment form for a signed-in
//! reader (it carries the CSRF token a static page cannot know), and
//! sign-out from a plain form of the site.

use crate::flow::{config, me, sign_in};
use crate::helpers::{SITE, TestApp, items};
use crate::smtp::Smtp;

/// The value of the hidden input `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_signed_in_reader_without_js_posts_through_the_services_form() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "required = true")).await;
    let r = app
        .http
        .get(app.path("/auth/comment?page=/posts/a/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("You must be signed in to comment.")
    );
    let cookie = sign_in(&app, &smtp, 1, "ada@example.org", "Ada").await;
    let r = app
        .http
        .get(app.path("/auth/comment?page=/posts/a/&parent="))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    assert_eq!(
        csrf,
        me(&app, Some(&cookie)).await.1["csrf"].as_str().unwrap()
    );
    assert!(html.contains(">Ada<"), "{html}");
    // its forms' targets are relative: they work under a proxy's path too
    let here = url::Url::parse(&app.path("/auth/comment?page=/posts/a/")).unwrap();
    for (action, route) in [
        ("../api/comments", "/api/comments"),
        ("sign-out", "/auth/sign-out"),
    ] {
        assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
        assert_eq!(here.join(action).unwrap().as_str(), app.path(route));
    }
    let (s, h, body) = app
        .post_form(
            &[
                ("page", &hidden(&html, "page")),
                ("parent", ""),
                ("csrf", &csrf),
                ("landing", "posted"),
                ("body", "from the service's own form"),
            ],
            &[("cookie", cookie.as_str()), ("origin", app.url.as_str())],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    assert!(h["location"].to_str().unwrap().starts_with("/posted/"));
    let thread = app.thread("/posts/a/").await;
    let all = items(&thread);
    assert_eq!(all.len(), 1);
    assert_eq!(
        (&all[0]["author"], &all[0]["verified"]),
        (&"Ada".into(), &true.into())
    );
}

#[tokio::test]
async fn a_plain_form_of_the_site_signs_out_and_another_site_cannot() {
    let smtp = Smtp::up();
    let app = TestApp::spawn(&config(&smtp, "")).await;
    let cookie = sign_in(&app, &smtp, 1, "ada@example.org", "Ada").await;
    let out = |origin: &str| {
        app.http
            .post(app.path("/auth/sign-out"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &cookie)
            .header("origin", origin)
            .body(format!("return={SITE}/posts/a/"))
    };
    let r = out("https://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(me(&app, Some(&cookie)).await.0, 200, "still signed in");
    let r = out(SITE).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{SITE}/posts/a/").as_str());
    assert_eq!(me(&app, Some(&cookie)).await.0, 401, "signed out");
}
