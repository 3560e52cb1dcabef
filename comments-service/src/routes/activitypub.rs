//! The fediverse routes of the service: the inbox, the followers collection
//! (the count only, unless `show_followers`: who follows is theirs, not the
//! public's) and the publish trigger.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use crate::error::Result;
use crate::state::AppState;

/// The media type of every ActivityPub document.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// The routes, present only with `[activitypub]` (else the fallback's 404).
pub fn router(state: &AppState) -> Router<AppState> {
    if state.cfg.activitypub.is_none() {
        return Router::new();
    }
    Router::new()
        .route("/activitypub/followers", get(followers))
        .route("/activitypub/inbox", post(inbox))
        .route("/activitypub/publish", post(publish))
}

/// `POST /activitypub/publish` with the admin token as `Authorization:
/// Bearer`: reads the site's outbox and queues deliveries of what is new
/// or changed (what `causerie activitypub send` calls after a build).
async fn publish(State(st): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let allowed = match &st.cfg.admin_token {
        Some(t) => st.keys.same_secret(t, given.trim()),
        None => false,
    };
    if !allowed {
        return Err(crate::error::Error::Field {
            status: StatusCode::UNAUTHORIZED,
            field: "authorization",
            message: "send the admin token as Authorization: Bearer <token>".into(),
        });
    }
    let q = crate::activitypub::outbox::sync(&st.fedi).await?;
    Ok(axum::Json(q).into_response())
}

/// `POST /activitypub/inbox`: 202 when taken; 401 for a signature that is
/// missing, forged, stale, replayed or by another actor; 400 for a reply,
/// like or boost of no page of the site (field `object` or
/// `object.inReplyTo`); 429 over a limit.
async fn inbox(
    State(st): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use crate::activitypub::inbox::receive;
    use crate::activitypub::rejected::Rejected;
    let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let refuse_field = |status: StatusCode, field: &str, message: String| {
        let body = serde_json::json!({"error": {"field": field, "message": message}});
        (status, axum::Json(body)).into_response()
    };
    let refuse = |status, message| refuse_field(status, "signature", message);
    match receive(&st.fedi, target, &headers, &body).await {
        Ok(status) => status.into_response(),
        Err(Rejected::Unsigned(m)) => {
            tracing::info!(reason = %m, "inbox delivery refused");
            refuse(StatusCode::UNAUTHORIZED, m)
        }
        Err(Rejected::Bad(m)) => refuse(StatusCode::BAD_REQUEST, m),
        Err(Rejected::Field(f, m)) => refuse_field(StatusCode::BAD_REQUEST, f, m),
        Err(Rejected::Forbidden(m)) => refuse(StatusCode::FORBIDDEN, m),
        Err(Rejected::Limited(secs)) => {
            crate::error::Error::RateLimited { retry_after: secs }.into_response()
        }
        Err(Rejected::Internal(e)) => e.into_response(),
    }
}

/// `body` as `application/activity+json`.
pub fn activity_json<T: Serialize>(body: &T) -> Response {
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ACTIVITY_JSON),
    );
    res
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Followers {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    r#type: &'static str,
    total_items: u64,
    /// Only with `[activitypub] show_followers = true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    ordered_items: Option<Vec<String>>,
}

/// `GET /activitypub/followers`: an `OrderedCollection` with `totalItems`.
async fn followers(State(st): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let total_items = st.store.follower_count().await?;
    let ordered_items = match &st.cfg.activitypub {
        Some(a) if a.show_followers => Some(st.store.ap_followers().await?),
        _ => None,
    };
    let id = format!(
        "{}/activitypub/followers",
        crate::activitypub::service_url::service_url(&st.cfg, &headers)
    );
    Ok(activity_json(&Followers {
        context: "https://www.w3.org/ns/activitystreams",
        id,
        r#type: "OrderedCollection",
        total_items,
        ordered_items,
    }))
}
