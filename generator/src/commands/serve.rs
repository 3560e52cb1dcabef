//! `causerie serve`: build, serve the output on 127.0.0.1, rebuild when a
//! source file changes. A plain full rebuild for now; the incremental dev
//! server with live reload replaces this (issue 7).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};
use crate::site::BuildOptions;

/// A fingerprint of every watched file: count and newest mtime.
fn fingerprint(root: &Path) -> (usize, Option<SystemTime>, u64) {
    let mut count = 0;
    let mut newest = None;
    let mut size = 0u64;
    for dir in ["content", "templates", "themes", "static", "causerie.toml"] {
        let p = root.join(dir);
        if !p.exists() {
            continue;
        }
        for e in walkdir::WalkDir::new(&p).into_iter().flatten() {
            if let Ok(m) = e.metadata()
                && m.is_file()
            {
                count += 1;
                size = size.wrapping_add(m.len());
                let t = m.modified().ok();
                if t > newest {
                    newest = t;
                }
            }
        }
    }
    (count, newest, size)
}

fn build_once(root: &Path, output: &Path, opts: &BuildOptions) {
    match super::build::run(root, output, opts) {
        Ok(r) => eprintln!("{r}"),
        Err(Error::Content(ds)) => {
            for d in ds {
                eprintln!("{d}");
            }
            eprintln!("build failed; serving the previous output");
        }
        Err(e) => eprintln!("error: {e}"),
    }
}

/// Builds and serves until interrupted.
pub fn run(root: &Path, output: PathBuf, port: u16, opts: BuildOptions) -> Result<()> {
    build_once(root, &output, &opts);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the server: {e}")))?;
    let root = root.to_path_buf();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| Error::Other(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Other(e.to_string()))?;
        println!("serving on http://{addr}/");
        let watch_root = root.clone();
        let watch_out = output.clone();
        std::thread::spawn(move || {
            let mut last = fingerprint(&watch_root);
            loop {
                std::thread::sleep(Duration::from_millis(400));
                let now = fingerprint(&watch_root);
                if now != last {
                    last = now;
                    build_once(&watch_root, &watch_out, &opts);
                }
            }
        });
        let app =
            axum::Router::new().fallback_service(tower_http::services::ServeDir::new(&output));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::Other(format!("server error: {e}")))
    })
}
