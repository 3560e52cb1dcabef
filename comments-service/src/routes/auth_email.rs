//! Sign-in by e-mail link: `POST /auth/email` (`email`, `return`, optional
//! `name`; JSON or form) mails a one-time link; `GET /auth/email/{token}`
//! only shows a page with one button (a mail scanner that follows links
//! burns nothing); the `POST` from that page takes the link (once, within
//! 15 minutes) and signs the reader in. The answer to a request is the same
//! whatever the address (no enumeration).

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::auth::email::{EmailFlow, flow_id, send_link};
use crate::auth::{Identity, check_return, session};
use crate::error::{Error, Result};
use crate::escape::escape as esc;
use crate::routes::auth_pages::{error_page, message_page, private};
use crate::routes::html::{page_in, respond};
use crate::routes::request::{read_body, same_site};
use crate::state::AppState;
use crate::store::now_us;

/// The e-mail link's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/email", post(request_link))
        .route("/auth/email/{token}", get(confirm_page).post(use_link))
}

/// The fields of a link request.
#[derive(Default)]
struct LinkRequest {
    email: Option<String>,
    return_to: Option<String>,
    name: Option<String>,
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"))
}

fn parse_request(bytes: &[u8], json: bool) -> Result<LinkRequest> {
    let mut r = LinkRequest::default();
    if json {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|_| Error::bad("body", "the request is not valid JSON"))?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        r.email = text("email");
        r.return_to = text("return");
        r.name = text("name");
    } else {
        for (k, v) in url::form_urlencoded::parse(bytes) {
            match k.as_ref() {
                "email" => r.email = Some(v.into_owned()),
                "return" => r.return_to = Some(v.into_owned()),
                "name" => r.name = Some(v.into_owned()),
                _ => {}
            }
        }
    }
    Ok(r)
}

/// `POST /auth/email`
async fn request_link(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let json = is_json(&headers);
    let lang = st.cfg.language.clone();
    let done = async {
        if !st.cfg.sign_in.email {
            return Err(Error::field(
                StatusCode::NOT_FOUND,
                "email",
                "sign-in by e-mail is not offered here",
            ));
        }
        if !json {
            same_site(&st, &headers)?;
        }
        let ip = crate::client::client_ip(peer.ip(), &headers, &st.cfg.trusted_proxies);
        crate::auth::limit::check(&st, ip).await?;
        let bytes = read_body(body, &headers, st.cfg.max_body_bytes).await?;
        let req = parse_request(&bytes, json)?;
        let email = crate::model::parse_email(req.email.as_deref())?
            .ok_or_else(|| Error::bad("email", "give the address to send the link to"))?;
        let to = check_return(&st.cfg, req.return_to.as_deref().unwrap_or(""))?;
        let name = match req.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => crate::model::parse_author(Some(n))
                .map_err(|_| Error::bad("name", "give a name of at most a few words, or none"))?,
            None => String::new(),
        };
        send_link(
            &st,
            EmailFlow {
                email,
                name,
                return_to: to.to_string(),
            },
        )
        .await?;
        Ok(to)
    }
    .await;
    let w = crate::words::sign_in::words(&lang);
    match done {
        Ok(_) if json => (StatusCode::ACCEPTED, axum::Json(json!({"sent": true}))).into_response(),
        Ok(to) => message_page(
            &st,
            StatusCode::OK,
            w.sent_title,
            w.sent_text,
            Some(to.as_str()),
        ),
        Err(e) if json => e.into_response(),
        Err(e) => error_page(&st, e),
    }
}

/// `GET /auth/email/{token}`: the page with the one button.
async fn confirm_page(State(st): State<AppState>, Path(token): Path<String>) -> Response {
    let w = crate::words::sign_in::words(&st.cfg.language);
    // no `action`: the form posts to this very URL, wherever the proxy
    // mounts the service
    let body = if token_part(&token).is_empty() {
        format!(
            "<main><h1>{}</h1><p>{}</p></main>",
            esc(w.used_title),
            esc(w.used_text)
        )
    } else {
        format!(
            "<main><h1>{}</h1><p>{}</p><form method=\"post\"><button type=\"submit\">{}</button></form></main>",
            esc(w.confirm_title),
            esc(w.confirm_text),
            esc(w.confirm_button)
        )
    };
    // The button's POST answers 303 to the page on the site: a browser
    // enforces `form-action` on that redirect too, so the site is allowed.
    private(respond(
        StatusCode::OK,
        page_in(&st.cfg.language, w.confirm_title, &body),
        Some(&st.cfg.site_origin),
    ))
}

/// `POST /auth/email/{token}`: takes the link and signs in.
async fn use_link(
    State(st): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let w = crate::words::sign_in::words(&st.cfg.language);
    if let Err(e) = same_site(&st, &headers) {
        return error_page(&st, e);
    }
    let taken = st
        .store
        .take_flow(&flow_id(token_part(&token)), now_us())
        .await;
    let flow = match taken {
        Ok(Some(p)) => serde_json::from_str::<EmailFlow>(&p).ok(),
        Ok(None) => None,
        Err(e) => return e.into_response(),
    };
    let Some(flow) = flow else {
        tracing::info!("a used, expired or unknown sign-in link was refused");
        return message_page(&st, StatusCode::GONE, w.used_title, w.used_text, None);
    };
    let identity = Identity {
        name: flow.name,
        url: None,
        email: Some(flow.email),
        photo: None,
        verified_by: "email".into(),
        sub: None,
    };
    match session::establish(&st, identity, &flow.return_to).await {
        Ok(r) => r,
        Err(e) => error_page(&st, e),
    }
}

/// The token as it may appear in a URL (64 hex digits), else nothing.
fn token_part(token: &str) -> &str {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        token
    } else {
        ""
    }
}
