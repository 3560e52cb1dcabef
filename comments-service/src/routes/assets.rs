//! `/embed.js`, `/healthz` and the 404 answer.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::state::AppState;

/// The snippet pages include (see `src/embed.js`).
pub const EMBED_JS: &str = include_str!("../embed.js");

/// `GET /embed.js`
pub async fn embed_js() -> Response {
    let mut r = EMBED_JS.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `GET /healthz`: 200 when the store answers.
pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n").into_response()
        }
    }
}

/// Any other path.
pub async fn not_found() -> Response {
    Error::field(StatusCode::NOT_FOUND, "path", "no such route").into_response()
}
