//! OpenID Connect against the real `oidc-provider`: the full login, then
//! the refusals (tampered state, replayed callback, a code from another
//! flow, a wrong nonce, a return off the site, an unknown provider).

use serde_json::Value;
use url::Url;

use crate::browser::{Browser, error_field, param, with_param};
use crate::helpers::{SITE, TestApp, open_config};
use crate::oidc_server::{CLIENT_SECRET, OidcServer};

const RETURN: &str = "http://127.0.0.1:9/posts/hello/";

/// The provider and the service, each knowing the other.
async fn peers() -> (OidcServer, TestApp) {
    let mut provider = OidcServer::start();
    let config = format!(
        "allow_private_addresses = true\n{}\n[sign_in]\n\n[[sign_in.oidc]]\nname = \"test\"\nissuer = \"{}\"\nclient_id = \"causerie\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        open_config(),
        provider.issuer
    );
    let app = TestApp::spawn(&config).await;
    provider.register(&app.path("/auth/oidc/test/callback"));
    (provider, app)
}

fn start_url(app: &TestApp) -> String {
    app.path(&format!("/auth/oidc/test?return={}", urlencode(RETURN)))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Signs in at the provider as `user` from `start`; answers the callback
/// URL the provider sent the browser to (not yet visited).
async fn to_callback(b: &mut Browser, app: &TestApp, start: &str, user: &str) -> Url {
    let callback = app.path("/auth/oidc/test/callback");
    b.drive(start, &[("login", user), ("password", "any")], None, |u| {
        u.as_str().starts_with(&callback)
    })
    .await
}

/// `GET /api/me` with the browser's cookies: (status, body).
pub async fn me(b: &mut Browser, app: &TestApp) -> (u16, Value) {
    let page = b.get(&app.path("/api/me")).await;
    (
        page.status,
        serde_json::from_str(&page.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_reader_signs_in_at_the_provider_and_the_session_names_them() {
    let (_provider, mut app) = peers().await;
    let mut b = Browser::new();
    let start = b.get(&start_url(&app)).await;
    assert_eq!(start.status, 303, "{}", start.body);
    let auth = start.location.clone().unwrap();
    assert!(auth.as_str().starts_with(&_provider.issuer), "{auth}");
    assert_eq!(param(&auth, "code_challenge_method"), "S256");
    assert!(!param(&auth, "state").is_empty() && !param(&auth, "nonce").is_empty());
    let callback = to_callback(&mut b, &app, auth.as_str(), "ada").await;
    let (code, state) = (param(&callback, "code"), param(&callback, "state"));
    assert!(!code.is_empty());
    let done = b.get(callback.as_str()).await;
    if done.status != 303 {
        panic!("{}\n{}", done.body, app.stop());
    }
    assert_eq!(done.location.unwrap().as_str(), RETURN);
    assert!(done.set_cookies.iter().any(|c| c == "causerie_session"));
    let (status, who) = me(&mut b, &app).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["name"], "Reader ada");
    assert_eq!(who["verified_by"], "oidc:test");
    assert!(!who.to_string().contains("ada@example.org"), "{who}");
    // a comment posted in this session is verified and carries the name
    let csrf = who["csrf"].as_str().unwrap().to_string();
    let body = serde_json::json!({"page": "/posts/hello/", "author": "", "body": "Signed in."});
    let posted = b
        .post_json(
            &app.path("/api/comments"),
            &body.to_string(),
            &[("x-csrf-token", &csrf)],
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let thread = app.thread("/posts/hello/").await;
    let items = crate::helpers::items(&thread);
    assert_eq!(items.len(), 1, "{thread}");
    assert_eq!(items[0]["verified"], true, "{thread}");
    assert_eq!(items[0]["author"], "Reader ada", "{thread}");
    let log = app.stop();
    for secret in [
        CLIENT_SECRET,
        code.as_str(),
        state.as_str(),
        "ada@example.org",
    ] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
    assert!(log.contains("reader signed in"), "{log}");
}

#[tokio::test]
async fn a_tampered_state_is_refused_and_the_real_one_still_works() {
    let (_provider, app) = peers().await;
    let mut b = Browser::new();
    let callback = to_callback(&mut b, &app, &start_url(&app), "bob").await;
    let state = param(&callback, "state");
    let tampered = with_param(&callback, "state", &format!("{state}x"));
    let page = b.get(tampered.as_str()).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert_eq!(error_field(&page.body), "state");
    // a browser's navigation gets a page in the site's language instead
    let html = app
        .http
        .get(tampered.as_str())
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 400);
    let ct = html.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.text().await.unwrap().contains("<h1>"));
    assert!(page.set_cookies.is_empty());
    assert_eq!(me(&mut b, &app).await.0, 401);
    let page = b.get(callback.as_str()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(me(&mut b, &app).await.1["name"], "Reader bob");
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let (_provider, app) = peers().await;
    let mut b = Browser::new();
    let callback = to_callback(&mut b, &app, &start_url(&app), "carol").await;
    assert_eq!(b.get(callback.as_str()).await.status, 303);
    // an attacker's browser replays the same code and state
    let mut other = Browser::new();
    let page = other.get(callback.as_str()).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert_eq!(error_field(&page.body), "state");
    assert!(page.set_cookies.is_empty());
    assert_eq!(me(&mut other, &app).await.0, 401);
}

#[tokio::test]
async fn a_code_from_another_flow_fails_pkce_at_the_provider() {
    let (_provider, app) = peers().await;
    let mut victim = Browser::new();
    let stolen = to_callback(&mut victim, &app, &start_url(&app), "dave").await;
    // the attacker starts a flow of their own and brings the stolen code to it
    let mut attacker = Browser::new();
    let theirs = attacker.get(&start_url(&app)).await.location.unwrap();
    let injected = with_param(&stolen, "state", &param(&theirs, "state"));
    let page = attacker.get(injected.as_str()).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(error_field(&page.body), "code");
    assert_eq!(me(&mut attacker, &app).await.0, 401);
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let (_provider, app) = peers().await;
    let mut b = Browser::new();
    let auth = b.get(&start_url(&app)).await.location.unwrap();
    // same state and PKCE challenge, but the provider is asked for another nonce
    let forged = with_param(&auth, "nonce", "a-nonce-the-service-never-made");
    let callback = to_callback(&mut b, &app, forged.as_str(), "eve").await;
    let page = b.get(callback.as_str()).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(error_field(&page.body), "id_token");
    assert!(page.set_cookies.is_empty());
    assert_eq!(me(&mut b, &app).await.0, 401);
}

#[tokio::test]
async fn a_return_off_the_site_and_an_unknown_provider_are_refused() {
    let (_provider, app) = peers().await;
    let mut b = Browser::new();
    for ret in [
        "https://evil.example/",
        "//evil.example/x",
        "http://127.0.0.1:9.evil.example/",
    ] {
        let page = b
            .get(&app.path(&format!("/auth/oidc/test?return={}", urlencode(ret))))
            .await;
        assert_eq!(page.status, 400, "{ret}: {}", page.body);
        assert_eq!(error_field(&page.body), "return", "{ret}");
        assert!(page.location.is_none());
    }
    let page = b
        .get(&app.path(&format!("/auth/oidc/nope?return={}", urlencode(SITE))))
        .await;
    assert_eq!(page.status, 404, "{}", page.body);
    assert_eq!(error_field(&page.body), "provider");
}

#[tokio::test]
async fn an_answer_naming_another_issuer_is_refused() {
    let (provider, app) = peers().await;
    let mut b = Browser::new();
    let callback = to_callback(&mut b, &app, &start_url(&app), "frank").await;
    // oidc-provider sends `iss` (RFC 9207); a mix-up names another one
    assert_eq!(param(&callback, "iss"), provider.issuer);
    let forged = with_param(&callback, "iss", "https://evil.example");
    let page = b.get(forged.as_str()).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(error_field(&page.body), "iss");
    assert_eq!(me(&mut b, &app).await.0, 401);
}

#[tokio::test]
async fn starts_are_rate_limited_per_address() {
    let (_provider, app) = peers().await;
    let mut b = Browser::new();
    for i in 0..5 {
        let page = b.get(&start_url(&app)).await;
        assert_eq!(page.status, 303, "start {i}: {}", page.body);
    }
    let page = b.get(&start_url(&app)).await;
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(page.location.is_none());
}

#[tokio::test]
async fn a_provider_on_a_private_address_is_refused_by_the_fetch_guard() {
    let provider = OidcServer::start();
    // no allow_private_addresses: the issuer on 127.0.0.1 must not be fetched
    let config = format!(
        "{}\n[sign_in]\n\n[[sign_in.oidc]]\nname = \"test\"\nissuer = \"{}\"\nclient_id = \"causerie\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        open_config(),
        provider.issuer
    );
    let mut app = TestApp::spawn(&config).await;
    let mut b = Browser::new();
    let page = b.get(&start_url(&app)).await;
    assert_eq!(page.status, 502, "{}", page.body);
    assert_eq!(error_field(&page.body), "provider");
    assert!(page.location.is_none());
    let log = app.stop();
    assert!(log.contains("not a public address"), "{log}");
    assert!(!log.contains(CLIENT_SECRET), "{log}");
}

#[tokio::test]
async fn the_callback_keeps_the_path_prefix_of_a_trusted_proxy_only() {
    let (provider, app) = peers().await;
    let mut b = Browser::new();
    let asked =
        |page: &crate::browser::Page| param(page.location.as_ref().unwrap(), "redirect_uri");
    // 127.0.0.1 is not a trusted proxy here: the prefix is ignored
    let page = b
        .get_with(&start_url(&app), &[("x-forwarded-prefix", "/comments")])
        .await;
    assert_eq!(asked(&page), app.path("/auth/oidc/test/callback"));
    let config = format!(
        "allow_private_addresses = true\ntrusted_proxies = [\"127.0.0.1\"]\n{}\n[sign_in]\n\n[[sign_in.oidc]]\nname = \"test\"\nissuer = \"{}\"\nclient_id = \"causerie\"\nclient_secret = \"{CLIENT_SECRET}\"\n",
        open_config(),
        provider.issuer
    );
    let proxied = TestApp::spawn(&config).await;
    let page = b
        .get_with(
            &start_url(&proxied),
            &[("x-forwarded-prefix", "/comments/")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        asked(&page),
        proxied.path("/comments/auth/oidc/test/callback")
    );
    let page = b
        .get_with(&start_url(&proxied), &[("x-forwarded-prefix", "/../admin")])
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert_eq!(error_field(&page.body), "host");
}
