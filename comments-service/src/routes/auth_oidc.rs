//! `GET /auth/oidc/{name}?return=URL` starts a sign-in with the configured
//! OpenID Connect provider `name` (303 to the provider);
//! `GET /auth/oidc/{name}/callback` finishes it and opens the session.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::oidc::{self, Callback};
use crate::auth::service_url::{service_base, under};
use crate::error::{Error, Result};
use crate::state::AppState;

/// The routes of this file, merged into the app's table.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/{name}", get(start))
        .route("/auth/oidc/{name}/callback", get(callback))
}

/// The query of a start: where to come back to.
#[derive(Deserialize)]
pub struct Start {
    #[serde(rename = "return", default)]
    pub return_to: String,
}

/// A refusal as the reader's browser wants it: these routes are full-page
/// navigations, so a page in the site's language (A's sign-in pages); the
/// JSON error shape for any other client.
pub fn refusal(app: &AppState, headers: &HeaderMap, e: Error) -> Response {
    let html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if html {
        crate::routes::auth_pages::error_page(app, e)
    } else {
        e.into_response()
    }
}

async fn start(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(q): Query<Start>,
) -> Response {
    begin(&app, peer, &name, &headers, &q)
        .await
        .unwrap_or_else(|e| refusal(&app, &headers, e))
}

async fn begin(
    app: &AppState,
    peer: SocketAddr,
    name: &str,
    headers: &HeaderMap,
    q: &Start,
) -> Result<Response> {
    // a start makes the service fetch the provider: limited per address
    let ip = crate::client::client_ip(peer.ip(), headers, &app.cfg.trusted_proxies);
    crate::auth::limit::check(app, ip).await?;
    let return_to = crate::auth::check_return(&app.cfg, &q.return_to)?;
    let mut callback = under(&service_base(&app.cfg, headers, peer.ip())?, "auth/oidc/")?;
    callback
        .path_segments_mut()
        .map_err(|_| Error::Config("service URL cannot be a base".into()))?
        .pop_if_empty()
        .push(name)
        .push("callback");
    let to = oidc::begin(app, name, &return_to, callback).await?;
    Ok(Redirect::to(to.as_str()).into_response())
}

async fn callback(
    State(app): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(cb): Query<Callback>,
) -> Response {
    let done = async {
        let (identity, return_to) = oidc::finish(&app, &name, &cb).await?;
        crate::auth::session::establish(&app, identity, &return_to).await
    };
    done.await.unwrap_or_else(|e| refusal(&app, &headers, e))
}
