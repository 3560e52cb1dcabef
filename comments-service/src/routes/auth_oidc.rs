//! `GET /auth/oidc/{name}?return=URL` starts a sign-in with the configured
//! OpenID Connect provider `name` (303 to the provider);
//! `GET /auth/oidc/{name}/callback` finishes it and opens the session.

use axum::Router;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::oidc::{self, Callback};
use crate::auth::service_url::{service_base, under};
use crate::error::Result;
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

async fn start(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(q): Query<Start>,
) -> Result<Response> {
    // a start makes the service fetch the provider: limited per address
    let ip = crate::client::client_ip(peer.ip(), &headers, &app.cfg.trusted_proxies);
    crate::auth::limit::check(&app, ip).await?;
    let return_to = crate::auth::check_return(&app.cfg, &q.return_to)?;
    let mut callback = under(&service_base(&app.cfg, &headers)?, "auth/oidc/")?;
    callback
        .path_segments_mut()
        .map_err(|_| crate::error::Error::Config("service URL cannot be a base".into()))?
        .pop_if_empty()
        .push(&name)
        .push("callback");
    let to = oidc::begin(&app, &name, &return_to, callback).await?;
    Ok(Redirect::to(to.as_str()).into_response())
}

async fn callback(
    State(app): State<AppState>,
    Path(name): Path<String>,
    Query(cb): Query<Callback>,
) -> Result<Response> {
    let (identity, return_to) = oidc::finish(&app, &name, &cb).await?;
    crate::auth::session::establish(&app, identity, &return_to).await
}
