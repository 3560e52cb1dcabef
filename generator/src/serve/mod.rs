//! `causerie serve`: the writing loop. Builds the site with the
//! incremental engine, serves it on 127.0.0.1, watches the sources
//! ([`watch`]), rebuilds only what an edit touched, and reloads open tabs
//! (tower-livereload's server-sent events). A failed build keeps the last
//! good output online and shows its problems over every page ([`overlay`]).
//! `--comments` runs a local comment service beside it ([`comments`]).
//!
//! [`watch`] is the same loop for production (`causerie watch`): the real
//! `base_url`, output to `public/`, no pages served; only the comment
//! service's rebuild call on 127.0.0.1, so a new comment is baked in with
//! the engine already in memory instead of a cold `causerie build`.

pub mod comments;
pub mod overlay;
pub mod watch;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use std::future::IntoFuture;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_livereload::{LiveReloadLayer, Reloader};

use crate::error::{Error, Result};
use crate::incremental::Engine;
use crate::site::BuildOptions;
use overlay::{Shared, Status};

/// Settings of `causerie serve`.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// Where the dev build goes; default `<root>/.causerie/serve` (never
    /// `public/`: the dev build points at 127.0.0.1, not the real site).
    pub output: Option<PathBuf>,
    pub port: u16,
    pub drafts: bool,
    /// Start a local comment service and bake its comments.
    pub comments: bool,
    /// SQLite file of that service (a temporary one by default).
    pub comments_db: Option<PathBuf>,
}

/// What wakes the rebuild worker.
#[derive(Debug)]
pub enum Trigger {
    /// Source files changed (empty: unknown, rebuild anyway).
    Files(Vec<PathBuf>),
    /// The comment service reports new or changed comments.
    Comments,
    Stop,
}

fn bind(port: u16) -> Result<std::net::TcpListener> {
    std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::Other(format!(
                "port {port} on 127.0.0.1 is already in use (another `causerie serve`?); pick another with --port N, or --port 0 for any free port"
            ))
        } else {
            Error::Other(format!("cannot listen on 127.0.0.1:{port}: {e}"))
        }
    })
}

/// Runs the dev server until Ctrl-C.
pub fn run(o: Options) -> Result<()> {
    let listener = bind(o.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(e.to_string()))?;
    let site_url = format!("http://{addr}/");
    // Absolute, so the watcher's event paths (absolute) match it.
    let root = std::fs::canonicalize(&o.root)
        .map_err(|e| Error::Other(format!("cannot serve {}: {e}", o.root.display())))?;
    let output = o
        .output
        .clone()
        .unwrap_or_else(|| root.join(".causerie").join("serve"));
    let opts = BuildOptions {
        drafts: o.drafts,
        base_url: Some(site_url.clone()),
        now: None,
    };
    let service = if o.comments {
        let s = comments::start(&root, &site_url, o.comments_db.as_deref())?;
        eprintln!("comment service on {} (comments publish at once)", s.url);
        Some(s)
    } else {
        None
    };
    let mut engine = Engine::new();
    engine.set_comments_url(service.as_ref().map(|s| s.url.clone()));
    let status: Shared = Default::default();
    let livereload = LiveReloadLayer::new().custom_prefix("/_causerie/livereload");
    let reloader = livereload.reloader();
    let (tx, handle) = Worker {
        engine,
        root: root.clone(),
        output: output.clone(),
        opts,
        status: status.clone(),
        reloader: Some(reloader),
    }
    .start()?;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the server: {e}")))?;
    let routes = control_routes(status.clone(), tx.clone());
    let result = rt.block_on(async move {
        let listener = into_tokio(listener)?;
        let app = routes
            // A missing page gets the site's own 404.html (with status 404),
            // as a static host would serve it.
            .fallback_service(
                ServeDir::new(&output).not_found_service(ServeFile::new(output.join("404.html"))),
            )
            .layer(axum::middleware::from_fn_with_state(
                status.clone(),
                overlay::inject,
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(livereload);
        println!("Listening for changes on {site_url}");
        let server = axum::serve(listener, app)
            .with_graceful_shutdown(stop_signal())
            .into_future();
        tokio::pin!(server);
        // Open tabs keep their reload stream open; give them a moment, then go.
        tokio::select! {
            r = &mut server => r.map_err(|e| Error::Other(format!("server error: {e}"))),
            _ = async { stop_signal().await; tokio::time::sleep(Duration::from_millis(1500)).await } => Ok(()),
        }
    });
    let _ = tx.send(Trigger::Stop);
    let _ = handle.join();
    drop(service);
    println!("stopped");
    result
}

/// Settings of `causerie watch`.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub root: PathBuf,
    /// Default `<root>/public`.
    pub output: Option<PathBuf>,
    /// Port on 127.0.0.1 for the rebuild call.
    pub port: u16,
}

/// Keeps the site built until Ctrl-C or SIGTERM: builds, then rebuilds what
/// changed when a source changes or `POST /_causerie/rebuild` arrives (the
/// comment service's trigger).
pub fn watch(o: WatchOptions) -> Result<()> {
    let listener = bind(o.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(e.to_string()))?;
    let root = std::fs::canonicalize(&o.root)
        .map_err(|e| Error::Other(format!("cannot watch {}: {e}", o.root.display())))?;
    let output = o.output.clone().unwrap_or_else(|| root.join("public"));
    let status: Shared = Default::default();
    let (tx, handle) = Worker {
        engine: Engine::new(),
        root: root.clone(),
        output,
        opts: BuildOptions::default(),
        status: status.clone(),
        reloader: None,
    }
    .start()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the rebuild hook: {e}")))?;
    let app = control_routes(status, tx.clone());
    let result = rt.block_on(async move {
        let listener = into_tokio(listener)?;
        println!(
            "Watching {}; rebuild hook on http://{addr}/_causerie/rebuild",
            root.display()
        );
        axum::serve(listener, app)
            .with_graceful_shutdown(stop_signal())
            .await
            .map_err(|e| Error::Other(format!("rebuild hook error: {e}")))
    });
    let _ = tx.send(Trigger::Stop);
    let _ = handle.join();
    println!("stopped");
    result
}

/// `GET /_causerie/status` (build count, last errors) and
/// `POST /_causerie/rebuild` (the comment service's trigger), for `serve`
/// and `watch` alike.
fn control_routes(status: Shared, tx: Sender<Trigger>) -> Router {
    let tx = std::sync::Arc::new(std::sync::Mutex::new(tx));
    Router::new()
        .route(
            "/_causerie/status",
            get(move || {
                let s = status.lock().map(|s| s.clone()).unwrap_or_default();
                async move { axum::Json(s) }
            }),
        )
        .route(
            "/_causerie/rebuild",
            post(move || {
                if let Ok(tx) = tx.lock() {
                    let _ = tx.send(Trigger::Comments);
                }
                async { StatusCode::ACCEPTED }
            }),
        )
}

fn into_tokio(listener: std::net::TcpListener) -> Result<tokio::net::TcpListener> {
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Other(e.to_string()))?;
    tokio::net::TcpListener::from_std(listener).map_err(|e| Error::Other(e.to_string()))
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Owns the engine; rebuilds on each batch of triggers.
struct Worker {
    engine: Engine,
    root: PathBuf,
    output: PathBuf,
    opts: BuildOptions,
    status: Shared,
    /// Open tabs to reload (`serve`); none for `watch`.
    reloader: Option<Reloader>,
}

impl Worker {
    /// Builds once, starts watching the sources, and hands the worker to
    /// its own thread; returns the channel that wakes it.
    fn start(mut self) -> Result<(Sender<Trigger>, std::thread::JoinHandle<()>)> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.build(true, None);
        let watcher = watch::start(&self.root, tx.clone())
            .map_err(|e| Error::Other(format!("cannot watch {}: {e}", self.root.display())))?;
        let handle = std::thread::spawn(move || self.run(rx, watcher));
        Ok((tx, handle))
    }

    fn run(mut self, rx: Receiver<Trigger>, mut watcher: watch::Watcher) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            // Fold everything already queued into this rebuild.
            while let Ok(t) = rx.try_recv() {
                batch.push(t);
            }
            if batch.iter().any(|t| matches!(t, Trigger::Stop)) {
                return;
            }
            watcher.refresh();
            // The changed files, when every trigger named them.
            let mut changed = Some(Vec::new());
            for t in &batch {
                if let Trigger::Files(paths) = t {
                    self.engine.invalidate(&self.root, paths);
                    match (&mut changed, paths.is_empty()) {
                        (Some(all), false) => all.extend(paths.iter().cloned()),
                        _ => changed = None,
                    }
                }
            }
            let comments = batch.iter().any(|t| matches!(t, Trigger::Comments));
            self.build(comments, changed);
        }
    }

    /// One build; never panics out, never stops the server.
    fn build(&mut self, comments: bool, changed: Option<Vec<PathBuf>>) {
        self.engine.sync_conversation_next(comments);
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
            self.engine
                .build_changed(&self.root, &self.output, &self.opts, changed.as_deref())
        }));
        let mut st = Status::default();
        match r {
            Ok(Ok(o)) => {
                println!("{}", o.summary());
                st.changed = o.changed;
            }
            Ok(Err(Error::Content(ds))) => {
                for d in &ds {
                    eprintln!("{d}");
                }
                println!(
                    "Build failed ({} problem{}); keeping the last good build",
                    ds.len(),
                    if ds.len() == 1 { "" } else { "s" }
                );
                st.errors = ds.iter().map(|d| d.to_string()).collect();
            }
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                println!("Build failed; keeping the last good build");
                st.errors = vec![e.to_string()];
            }
            Err(_) => {
                self.engine.forget_output();
                println!("Build failed (internal error); keeping the last good build");
                st.errors = vec!["internal error during the build (see the terminal)".into()];
            }
        }
        if let Ok(mut s) = self.status.lock() {
            st.builds = s.builds + 1;
            *s = st;
        }
        if let Some(r) = &self.reloader {
            r.reload();
        }
    }
}
