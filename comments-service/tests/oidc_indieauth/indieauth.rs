//! IndieAuth against the real `django-indieweb` server: discovery by
//! `<link rel="indieauth-metadata">`, by the `Link` header and by the legacy
//! `authorization_endpoint`; the h-card's name and photo; the refusals
//! (tampered state, replayed callback, another `iss`, a returned `me` whose
//! page names another authorization server, a return off the site).

use url::Url;

use crate::browser::{Browser, error_field, param, with_param};
use crate::helpers::{TestApp, open_config};
use crate::indieauth_server::{IndieAuthServer, PASSWORD};
use crate::oidc::me;

const RETURN: &str = "http://127.0.0.1:9/posts/hello/";

async fn peers() -> (IndieAuthServer, TestApp) {
    let server = IndieAuthServer::start();
    let config = format!(
        "allow_private_addresses = true\n{}\n[sign_in]\nindieauth = true\n",
        open_config()
    );
    (server, TestApp::spawn(&config).await)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn start_url(app: &TestApp, me: &str) -> String {
    app.path(&format!(
        "/auth/indieauth?me={}&return={}",
        urlencode(me),
        urlencode(RETURN)
    ))
}

/// Signs in at the Django site as `ada` and approves; answers the callback
/// URL the server sent the browser to (not yet visited). `consent_me`
/// replaces the `me` of the consent form (a server that answers another me).
async fn to_callback(b: &mut Browser, app: &TestApp, start: &str, consent_me: Option<&str>) -> Url {
    // Signed in at their own site first: django-indieweb 0.6.2 sends a
    // signed-out reader to its login page with an unencoded `next`, which
    // loses the request's other parameters (a browser would lose them too).
    let site = Url::parse(start)
        .ok()
        .and_then(|u| {
            let me = param(&u, "me");
            Url::parse(&me).ok()
        })
        .map(|me| me.origin().ascii_serialization());
    if let Some(site) = site {
        let home = format!("{site}/");
        let login = b
            .drive(
                &format!("{site}/accounts/login/?next=/"),
                &[("username", "ada"), ("password", PASSWORD)],
                None,
                |u| u.as_str() == home,
            )
            .await;
        assert_eq!(login.as_str(), home);
    }
    let callback = app.path("/auth/indieauth/callback");
    let mut fill = vec![];
    if let Some(m) = consent_me {
        fill.push(("me", m));
    }
    b.drive(start, &fill, Some(("action", "approve")), |u| {
        u.as_str().starts_with(&callback)
    })
    .await
}

#[tokio::test]
async fn a_reader_signs_in_with_their_site_and_its_h_card_names_them() {
    let (server, mut app) = peers().await;
    // every discovery path: <link> to metadata, the Link header, the legacy rel
    for path in ["/", "/header/", "/legacy/"] {
        let profile = format!("{}{path}", server.origin);
        let mut b = Browser::new();
        let start = b.get(&start_url(&app, &profile)).await;
        assert_eq!(start.status, 303, "{path}: {}", start.body);
        let auth = start.location.clone().unwrap();
        assert_eq!(
            auth.as_str().split('?').next().unwrap(),
            format!("{}/indieweb/auth/", server.origin)
        );
        assert_eq!(param(&auth, "code_challenge_method"), "S256");
        assert_eq!(param(&auth, "me"), profile);
        assert_eq!(param(&auth, "client_id"), app.path("/"));
        let callback = to_callback(&mut b, &app, auth.as_str(), None).await;
        let (code, state) = (param(&callback, "code"), param(&callback, "state"));
        let done = b.get(callback.as_str()).await;
        assert_eq!(done.status, 303, "{path}: {}", done.body);
        assert_eq!(done.location.unwrap().as_str(), RETURN);
        let (status, who) = me(&mut b, &app).await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(who["name"], "Ada Lovelace", "{path}");
        assert_eq!(who["url"], profile.as_str());
        assert_eq!(who["verified_by"], "indieauth");
        let log = app.stop();
        for secret in [code.as_str(), state.as_str()] {
            assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
        }
        app.start();
    }
}

#[tokio::test]
async fn a_profile_url_is_canonicalized_before_discovery() {
    let (server, app) = peers().await;
    let mut b = Browser::new();
    // no path, upper-case scheme: the same profile as `<origin>/`
    let typed = server.origin.replace("http://", "HTTP://");
    let start = b.get(&start_url(&app, &typed)).await;
    assert_eq!(start.status, 303, "{}", start.body);
    assert_eq!(
        param(&start.location.unwrap(), "me"),
        format!("{}/", server.origin)
    );
    for bad in ["", "mailto:ada@example.org", "https://user:pw@example.com/"] {
        let page = b.get(&start_url(&app, bad)).await;
        assert_eq!(page.status, 400, "{bad}: {}", page.body);
        assert_eq!(error_field(&page.body), "me", "{bad}");
    }
}

#[tokio::test]
async fn a_tampered_or_replayed_state_and_another_issuer_are_refused() {
    let (server, app) = peers().await;
    let profile = format!("{}/", server.origin);
    let mut b = Browser::new();
    let callback = to_callback(&mut b, &app, &start_url(&app, &profile), None).await;
    let tampered = with_param(
        &callback,
        "state",
        &format!("{}x", param(&callback, "state")),
    );
    let page = b.get(tampered.as_str()).await;
    assert_eq!(
        (page.status, error_field(&page.body)),
        (400, "state".into()),
        "{}",
        page.body
    );
    assert_eq!(me(&mut b, &app).await.0, 401);
    // the real callback still works once, then never again
    assert_eq!(b.get(callback.as_str()).await.status, 303);
    let mut other = Browser::new();
    let page = other.get(callback.as_str()).await;
    assert_eq!(
        (page.status, error_field(&page.body)),
        (400, "state".into()),
        "{}",
        page.body
    );
    assert!(page.set_cookies.is_empty());
    // an answer that claims another issuer (RFC 9207 mix-up) is refused
    let mut c = Browser::new();
    let callback = to_callback(&mut c, &app, &start_url(&app, &profile), None).await;
    let forged = with_param(&callback, "iss", "https://evil.example/");
    let page = c.get(forged.as_str()).await;
    assert_eq!(
        (page.status, error_field(&page.body)),
        (403, "iss".into()),
        "{}",
        page.body
    );
    assert_eq!(me(&mut c, &app).await.0, 401);
}

#[tokio::test]
async fn a_returned_me_that_names_another_authorization_server_is_refused() {
    let (server, app) = peers().await;
    let profile = format!("{}/", server.origin);
    let elsewhere = format!("{}/elsewhere/", server.origin);
    let mut b = Browser::new();
    // the server answers a `me` whose page delegates to another server
    let callback = to_callback(&mut b, &app, &start_url(&app, &profile), Some(&elsewhere)).await;
    let page = b.get(callback.as_str()).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert_eq!(error_field(&page.body), "me");
    assert_eq!(me(&mut b, &app).await.0, 401);
    // a returned `me` on the same server (another page of the site) is confirmed
    let header = format!("{}/header/", server.origin);
    let mut b = Browser::new();
    let callback = to_callback(&mut b, &app, &start_url(&app, &profile), Some(&header)).await;
    assert_eq!(b.get(callback.as_str()).await.status, 303);
    assert_eq!(me(&mut b, &app).await.1["url"], header.as_str());
}

#[tokio::test]
async fn a_return_off_the_site_is_refused_before_any_fetch() {
    let (server, app) = peers().await;
    let mut b = Browser::new();
    let page = b
        .get(&app.path(&format!(
            "/auth/indieauth?me={}&return={}",
            urlencode(&server.origin),
            urlencode("https://evil.example/")
        )))
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert_eq!(error_field(&page.body), "return");
    assert!(page.location.is_none());
}

#[tokio::test]
async fn indieauth_is_off_unless_the_config_turns_it_on() {
    let app = TestApp::spawn(&open_config()).await;
    let mut b = Browser::new();
    let page = b.get(&start_url(&app, "https://example.com/")).await;
    assert_eq!(page.status, 404, "{}", page.body);
    assert_eq!(error_field(&page.body), "me");
    assert!(page.location.is_none());
    let page = b
        .get(&app.path("/auth/indieauth/callback?code=x&state=y"))
        .await;
    assert_eq!(page.status, 404, "{}", page.body);
}
