//! `PUT` and `DELETE /api/comments/{id}`: a reader changes their own comment
//! within the edit window, with its edit token, or from any device where
//! they are signed in as who posted it (the session's CSRF token in
//! `X-CSRF-Token`); the admin token may change any comment at any time.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::model;
use crate::routes::comments::{bearer, is_owner};
use crate::routes::refusal::refused;
use crate::routes::request::read_body;
use crate::state::AppState;
use crate::store::now_us;

fn parse_id(raw: &str) -> Result<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::field(StatusCode::NOT_FOUND, "id", "no such comment"))
}

/// Checks the edit token, the signed-in author's session, or the admin
/// token; gives the start of the edit window.
async fn authorise(st: &AppState, headers: &HeaderMap, id: i64) -> Result<i64> {
    if is_owner(st, headers) {
        return Ok(i64::MIN);
    }
    let window_start = now_us() - st.cfg.edit_window_secs * 1_000_000;
    let Some(token) = bearer(headers) else {
        if crate::routes::signed_post::by_session(st, headers, id).await? {
            return Ok(window_start);
        }
        return Err(Error::field(
            StatusCode::UNAUTHORIZED,
            "token",
            "send the edit token as Authorization: Bearer <token>",
        ));
    };
    if !st.keys.edit_token_ok(id, token) {
        return Err(Error::field(
            StatusCode::FORBIDDEN,
            "token",
            "this token does not allow changing this comment",
        ));
    }
    Ok(window_start)
}

/// `PUT /api/comments/{id}` with `{"body": …}` and the edit token.
pub async fn comments_edit(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    edit(&st, &id, &headers, body)
        .await
        .unwrap_or_else(|e| refused(&st, e, true, None))
}

async fn edit(st: &AppState, id: &str, headers: &HeaderMap, body: Body) -> Result<Response> {
    let id = parse_id(id)?;
    let window_start = authorise(st, headers, id).await?;
    let bytes = read_body(body, headers, st.cfg.max_body_bytes).await?;
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|_| Error::bad("body", "send JSON {\"body\": …}"))?;
    let body_md = model::parse_body(v.get("body").and_then(Value::as_str))?;
    let rendered = st.renderer.render(&body_md);
    let c = st
        .store
        .edit_comment(id, body_md, rendered.html, window_start)
        .await?;
    tracing::info!(id, "comment edited");
    Ok(axum::Json(json!({"comment": c})).into_response())
}

/// `DELETE /api/comments/{id}` with the edit token.
pub async fn comments_delete(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    delete(&st, &id, &headers)
        .await
        .unwrap_or_else(|e| refused(&st, e, true, None))
}

async fn delete(st: &AppState, id: &str, headers: &HeaderMap) -> Result<Response> {
    let id = parse_id(id)?;
    let window_start = authorise(st, headers, id).await?;
    st.store.delete_comment(id, window_start).await?;
    tracing::info!(id, "comment deleted by its author");
    Ok(StatusCode::NO_CONTENT.into_response())
}
