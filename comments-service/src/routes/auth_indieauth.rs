//! `GET /auth/indieauth?me=URL&return=URL` starts a sign-in with the
//! reader's own site (303 to its authorization endpoint);
//! `GET /auth/indieauth/callback` finishes it and opens the session.

use axum::Router;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::indieauth::{self, Callback};
use crate::auth::service_url::{service_base, under};
use crate::error::{Error, Result};
use crate::routes::auth_oidc::refusal;
use crate::state::AppState;

/// The routes of this file, merged into the app's table.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/indieauth", get(start))
        .route("/auth/indieauth/callback", get(callback))
}

/// The query of a start: the profile URL and where to come back to.
#[derive(Deserialize)]
pub struct Start {
    #[serde(default)]
    pub me: String,
    #[serde(rename = "return", default)]
    pub return_to: String,
}

fn enabled(app: &AppState) -> Result<()> {
    if app.cfg.sign_in.indieauth {
        Ok(())
    } else {
        Err(Error::field(
            StatusCode::NOT_FOUND,
            "me",
            "IndieAuth sign-in is not enabled on this site",
        ))
    }
}

async fn start(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<Start>,
) -> Response {
    begin(&app, peer, &headers, &q)
        .await
        .unwrap_or_else(|e| refusal(&app, &headers, e))
}

async fn begin(
    app: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    q: &Start,
) -> Result<Response> {
    enabled(app)?;
    // a start makes the service fetch the reader's site: limited per address
    let ip = crate::client::client_ip(peer.ip(), headers, &app.cfg.trusted_proxies);
    crate::auth::limit::check(app, ip).await?;
    let return_to = crate::auth::check_return(&app.cfg, &q.return_to)?;
    let base = service_base(&app.cfg, headers, peer.ip())?;
    let callback = under(&base, "auth/indieauth/callback")?;
    let to = indieauth::begin(app, &q.me, &return_to, &base, &callback).await?;
    Ok(Redirect::to(to.as_str()).into_response())
}

async fn callback(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(cb): Query<Callback>,
) -> Response {
    let done = async {
        enabled(&app)?;
        let (identity, return_to) = indieauth::finish(&app, &cb).await?;
        crate::auth::session::establish(&app, identity, &return_to).await
    };
    done.await.unwrap_or_else(|e| refusal(&app, &headers, e))
}
