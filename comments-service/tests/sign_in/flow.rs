//! The steps every sign-in test takes: a config with e-mail sign-in, and a
//! full sign-in through the mailed link, ending with the session cookie.

use serde_json::{Value, json};

use crate::helpers::{SITE, TestApp};
use crate::smtp::Smtp;

pub const OWNER: &str = "owner@blog.example";

/// A service with `[mail]` on `smtp` and `[sign_in] email = true`; `extra`
/// goes into the `[sign_in]` table.
pub fn config(smtp: &Smtp, extra: &str) -> String {
    format!(
        "site_url = \"{SITE}\"\nmoderation = \"none\"\nadmin_token = \"the-admin-token-123\"\n\n[limits]\ncomments_per_minute = 0\n\n[spam]\nmin_submit_seconds = 0\n\n[mail]\nsmtp_url = \"{}\"\nfrom = \"Blog <blog@blog.example>\"\nowner = \"{OWNER}\"\n\n[sign_in]\nemail = true\n{extra}\n",
        smtp.url()
    )
}

/// Asks for a link for `email` (with `name`) back to `ret`: (status, body).
pub async fn ask(app: &TestApp, email: &str, name: &str, ret: &str) -> (u16, Value) {
    let (s, _, v) = app
        .send(
            app.http
                .post(app.path("/auth/email"))
                .header("content-type", "application/json")
                .body(json!({"email": email, "name": name, "return": ret}).to_string()),
        )
        .await;
    (s, v)
}

/// The link of the `n`th sign-in mail (waiting for it; other mails, such
/// as the owner's, are passed over).
pub async fn link_in_mail(smtp: &Smtp, n: usize, to: &str) -> String {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got: Vec<serde_json::Value> = smtp
            .messages()
            .into_iter()
            .filter(|m| {
                m["plain"]
                    .as_str()
                    .is_some_and(|p| p.contains("/auth/email/"))
            })
            .collect();
        if got.len() >= n {
            let m = &got[n - 1];
            assert_eq!(m["headers"]["to"], to);
            let plain = m["plain"].as_str().unwrap();
            return plain
                .split_whitespace()
                .find(|w| w.contains("/auth/email/"))
                .unwrap()
                .to_string();
        }
        assert!(
            std::time::Instant::now() < end,
            "no sign-in mail {n}: {got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// POSTs the link's button: (status, Location, the session cookie pair).
pub async fn use_link(app: &TestApp, link: &str) -> (u16, String, Option<String>) {
    let r = app.http.post(link).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("causerie_session="));
    (status, location, cookie)
}

/// The `name=value` part of a `Set-Cookie`.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

/// A full sign-in of `email` as `name`: the `Cookie` pair of the session.
pub async fn sign_in(app: &TestApp, smtp: &Smtp, n: usize, email: &str, name: &str) -> String {
    let (s, v) = ask(app, email, name, &format!("{SITE}/posts/a/")).await;
    assert_eq!(s, 202, "{v}");
    let link = link_in_mail(smtp, n, email).await;
    let (s, loc, cookie) = use_link(app, &link).await;
    assert_eq!(s, 303);
    assert_eq!(loc, format!("{SITE}/posts/a/"));
    pair(&cookie.expect("a session cookie"))
}

/// GET /api/me with `cookie`: (status, body).
pub async fn me(app: &TestApp, cookie: Option<&str>) -> (u16, Value) {
    let mut rb = app.http.get(app.path("/api/me"));
    if let Some(c) = cookie {
        rb = rb.header("cookie", c);
    }
    let (s, _, v) = app.send(rb).await;
    (s, v)
}
