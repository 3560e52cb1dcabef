//! The service assembled: the one route table over the shared state
//! ([`crate::state`]), and `serve`.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::{get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::routes;
use crate::state::AppState;

/// The route table, grouped by policy.
pub fn router(state: AppState) -> Router {
    // Read and write API for the site's pages: CORS for the site origin only.
    let cors = CorsLayer::new()
        .allow_origin({
            let site = HeaderValue::from_str(&state.cfg.site_origin).ok();
            AllowOrigin::predicate(move |origin: &HeaderValue, _| site.as_ref() == Some(origin))
        })
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(crate::auth::session::CSRF_HEADER),
        ])
        .expose_headers([HeaderName::from_static("retry-after")])
        // the owner's cookie rides along on the embed's posts (routes::owner)
        .allow_credentials(true)
        .max_age(std::time::Duration::from_secs(3600));
    let api = Router::new()
        .route(
            "/api/comments",
            get(routes::comments::comments_index).post(routes::comments::comments_create),
        )
        .route(
            "/api/comments/{id}",
            get(routes::own::own_json)
                .put(routes::comments_edit::comments_edit)
                .delete(routes::comments_edit::comments_delete),
        )
        .route("/api/counts", get(routes::read::counts_index))
        .route("/api/export", get(routes::export::export_index))
        .merge(routes::auth_session::router())
        .merge(routes::auth_email::router())
        .layer(cors);
    // Moderation: same-origin HTML forms behind the admin token, no CORS.
    let admin = Router::new()
        .route(
            "/admin",
            get(routes::admin::admin_page).post(routes::admin::admin_moderate),
        )
        .route("/admin/login", post(routes::admin::admin_login))
        .route("/admin/reply", post(routes::admin_reply::admin_reply))
        .route("/admin/logout", post(routes::admin::admin_logout));
    // Public and static.
    let public = Router::new()
        .route("/embed.js", get(routes::assets::embed_js))
        .route("/healthz", get(routes::assets::healthz))
        .route("/posted/{id}", get(routes::own::posted_page))
        .merge(routes::mail_links::router())
        .merge(routes::auth_oidc::router())
        .merge(routes::auth_indieauth::router())
        .merge(routes::activitypub::router(&state));
    Router::new()
        .merge(api)
        .merge(admin)
        .merge(public)
        .route(
            "/webmention",
            post(crate::webmention::receive::webmention_receive),
        )
        .route("/xmlrpc", post(crate::pingback::xmlrpc))
        .fallback(routes::assets::not_found)
        // bodies are read with their own limit (413 with the JSON error); this
        // is the backstop for any extractor that buffers.
        .layer(DefaultBodyLimit::max(state.cfg.max_body_bytes))
        .with_state(state)
}

/// Binds, prints the address as the first stdout line, serves until a signal.
pub async fn serve(cfg: Config) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|source| Error::Io {
            path: format!("listen {}", cfg.listen),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Io {
        path: "listen".into(),
        source,
    })?;
    let mut cfg = cfg;
    if let Some(m) = cfg.mail.as_mut()
        && m.public_url.is_none()
    {
        // links in mails point at the service itself unless told otherwise
        m.public_url = url::Url::parse(&format!("http://{addr}/")).ok();
        tracing::warn!(%addr, "[mail] public_url is not set: links in mails use the listening address");
    }
    let state = AppState::connect(cfg).await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    tracing::info!(%addr, store = %state.store.describe(), moderation = ?state.cfg.moderation, "causerie-comments started");
    crate::background::start(state.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|source| Error::Io {
            path: "serve".into(),
            source,
        })?;
    Ok(())
}

async fn shutdown() {
    let term = async {
        #[cfg(unix)]
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
