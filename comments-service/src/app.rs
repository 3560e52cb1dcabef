//! The service assembled: shared state, the one route table, and `serve`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::{get, post, put};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, SharedManifest};
use crate::markdown::Renderer;
use crate::routes;
use crate::store::Store;
use crate::tokens::Keys;
use crate::webmention::Webmention;

/// What every handler can reach. Parts with their own concern are
/// substates (`FromRef`), so their handlers take only what they use.
#[derive(Clone)]
pub struct AppState {
    pub cfg: Arc<Config>,
    pub store: Store,
    pub keys: Keys,
    pub renderer: Arc<Renderer>,
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    manifest: SharedManifest,
    /// The Webmention and Pingback receiver (its handlers' substate).
    pub webmention: Arc<Webmention>,
    /// Rendered read answers, valid while the store's generation holds.
    thread_cache: Arc<crate::cache::ReadCache>,
    /// The guarded client for the site's own URLs (manifest, webhook): the
    /// operator chose them, so private addresses are allowed for it.
    pub site_client: Option<crate::fetch::Fetcher>,
    /// Limits answers whose cost grows with the store (see `heavy`).
    pub heavy: crate::heavy::Heavy,
}

impl AppState {
    /// Opens the store and builds the shared parts.
    pub fn new(cfg: Config) -> Result<AppState> {
        let store = Store::open(&cfg.db, cfg.debounce_ms)?;
        let keys = match &cfg.secret {
            Some(s) => Keys::new(s.as_bytes()),
            None => Keys::new(store.stored_secret()),
        };
        let limiter = NonZeroU32::new(cfg.comments_per_minute)
            .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        let site_client = crate::fetch::Fetcher::new(&crate::fetch::FetchConfig {
            allow_private_addresses: true,
            ..crate::fetch::default_config()
        })
        .map_err(|e| tracing::warn!(error = %e, "no HTTP client: manifest and webhook disabled"))
        .ok();
        let cfg = Arc::new(cfg);
        let manifest = SharedManifest::default();
        let webmention = Arc::new(Webmention::new(
            cfg.clone(),
            store.clone(),
            manifest.clone(),
        )?);
        Ok(AppState {
            renderer: Arc::new(Renderer::new(cfg.allow_images)),
            cfg,
            store,
            keys,
            limiter,
            manifest,
            webmention,
            thread_cache: Arc::default(),
            site_client,
            heavy: crate::heavy::Heavy::default(),
        })
    }

    /// Counts one new comment from `ip`; over the limit gives 429 with the wait.
    pub fn rate_limit(&self, ip: IpAddr) -> Result<()> {
        let Some(l) = &self.limiter else {
            return Ok(());
        };
        match l.check_key(&ip) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                use governor::clock::Clock;
                let wait = not_until.wait_time_from(l.clock().now());
                Err(Error::RateLimited {
                    retry_after: wait.as_secs() + 1,
                })
            }
        }
    }

    /// The current pages manifest, if the site has one.
    pub fn manifest(&self) -> Option<Arc<Manifest>> {
        self.manifest.get()
    }

    /// Fetches the manifest again (at start and after each rebuild).
    pub async fn refresh_manifest(&self) {
        let Some(client) = &self.site_client else {
            return;
        };
        self.manifest
            .set(crate::manifest::fetch(client, &self.cfg.site_url).await);
    }

    /// A cached answer for `key`, if it was made at `generation`.
    pub fn cached(&self, key: &str, generation: u64) -> Option<axum::body::Bytes> {
        self.thread_cache.get(key, generation)
    }

    /// Keeps an answer made at `generation` (bounded by bytes; see `cache`).
    pub fn cache(&self, key: String, generation: u64, bytes: axum::body::Bytes) {
        self.thread_cache.put(key, generation, bytes);
    }

    /// Sheds rate-limit state of addresses that have been quiet.
    pub fn tidy(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The route table, grouped by policy.
pub fn router(state: AppState) -> Router {
    // Read and write API for the site's pages: CORS for the site origin only.
    let cors = CorsLayer::new()
        .allow_origin({
            let site = HeaderValue::from_str(&state.cfg.site_origin).ok();
            AllowOrigin::predicate(move |origin: &HeaderValue, _| site.as_ref() == Some(origin))
        })
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
        .expose_headers([HeaderName::from_static("retry-after")])
        .max_age(std::time::Duration::from_secs(3600));
    let api = Router::new()
        .route(
            "/api/comments",
            get(routes::comments::comments_index).post(routes::comments::comments_create),
        )
        .route(
            "/api/comments/{id}",
            put(routes::comments::comments_edit).delete(routes::comments::comments_delete),
        )
        .route("/api/counts", get(routes::read::counts_index))
        .route("/api/export", get(routes::export::export_index))
        .layer(cors);
    // Moderation: same-origin HTML forms behind the admin token, no CORS.
    let admin = Router::new()
        .route(
            "/admin",
            get(routes::admin::admin_page).post(routes::admin::admin_moderate),
        )
        .route("/admin/login", post(routes::admin::admin_login))
        .route("/admin/logout", post(routes::admin::admin_logout));
    // Public and static.
    let public = Router::new()
        .route("/embed.js", get(routes::assets::embed_js))
        .route("/healthz", get(routes::assets::healthz));
    Router::new()
        .merge(api)
        .merge(admin)
        .merge(public)
        .merge(crate::webmention::routes())
        .fallback(routes::assets::not_found)
        // bodies are read with their own limit (413 with the JSON error); this
        // is the backstop for any extractor that buffers.
        .layer(DefaultBodyLimit::max(state.cfg.max_body_bytes))
        .with_state(state)
}

impl FromRef<AppState> for Arc<Webmention> {
    fn from_ref(state: &AppState) -> Self {
        state.webmention.clone()
    }
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
    let state = AppState::new(cfg)?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    tracing::info!(%addr, db = %state.cfg.db.display(), moderation = ?state.cfg.moderation, "causerie-comments started");
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
