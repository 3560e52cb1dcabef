//! `serve --comments`: a local `causerie-comments` beside the dev site, so
//! an author sees and tries the whole conversation before publishing. It
//! runs on a free loopback port with its own SQLite file, publishes
//! comments at once, and calls the dev server back after each change.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{Error, Result};

/// The running service; dropping it stops the process and removes a
/// temporary database.
pub struct Service {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    temp_dir: Option<PathBuf>,
    /// The site's conversation cache for this service. Its URL has a new
    /// port each run, so the cache is of no use to the next one: removed
    /// when the service stops, or `.causerie/conversation/` would collect a
    /// directory per `serve --comments`.
    cache: Option<PathBuf>,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(d) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(d);
        }
        if let Some(d) = &self.cache {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// `causerie-comments` next to this executable, else the one on `PATH`.
fn binary() -> PathBuf {
    let name = format!("causerie-comments{}", std::env::consts::EXE_SUFFIX);
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        let beside = dir.join(&name);
        if beside.is_file() {
            return beside;
        }
    }
    PathBuf::from(name)
}

fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Asks the kernel to stop the service when the dev server dies, even by
/// SIGKILL, where no destructor runs: an orphaned service would keep the
/// port and the temporary database. `start` runs on the main thread, which
/// lives as long as the process (the signal follows the spawning thread).
#[cfg(target_os = "linux")]
fn stop_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the hook only calls prctl, which is
    // async-signal-safe, and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn stop_with_parent(_: &mut Command) {}

/// Starts the service for the dev site at `root`, served at `site_url`;
/// `db` names the SQLite file (a temporary one when `None`).
pub fn start(root: &Path, site_url: &str, db: Option<&Path>) -> Result<Service> {
    let temp = std::env::temp_dir().join(format!("causerie-serve-{}", std::process::id()));
    std::fs::create_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
    let db_path = match db {
        Some(p) => p.to_path_buf(),
        None => temp.join("comments.db"),
    };
    let config = temp.join("comments.toml");
    let hook = format!("{}/_causerie/rebuild", site_url.trim_end_matches('/'));
    let text = format!(
        "site_url = {}\nallow_private_addresses = true\nmoderation = \"none\"\n\n[rebuild]\nwebhook = {}\ndebounce_ms = 100\n",
        toml_str(site_url),
        toml_str(&hook)
    );
    std::fs::write(&config, text).map_err(|e| Error::io(&config, e))?;
    let bin = binary();
    let mut cmd = Command::new(&bin);
    stop_with_parent(&mut cmd);
    let mut child = cmd
        .arg("--config")
        .arg(&config)
        .arg("--listen")
        .arg("127.0.0.1:0")
        .arg("--db")
        .arg(&db_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::Other(format!(
                "cannot start the comment service {}: {e} (build it with `cargo build --release`, or put causerie-comments on PATH)",
                bin.display()
            ))
        })?;
    // Its first stdout line is the address; the rest of its output goes to
    // our stderr, prefixed, so the dev server's stdout stays its own.
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines().map_while(|l| l.ok());
            if let Some(first) = lines.next() {
                let _ = tx.send(first);
            }
            for line in lines {
                eprintln!("[comments] {line}");
            }
        });
    }
    if let Some(err) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(|l| l.ok()) {
                eprintln!("[comments] {line}");
            }
        });
    }
    let mut service = Service {
        child,
        url: String::new(),
        temp_dir: Some(temp),
        cache: None,
    };
    let first = rx.recv_timeout(Duration::from_secs(30)).ok();
    match first.and_then(|l| {
        l.strip_prefix("listening on ")
            .map(|u| u.trim().to_string())
    }) {
        Some(u) => {
            service.url = u.trim_end_matches('/').to_string();
            service.cache = Some(crate::conversation::cache::dir(root, &service.url));
            Ok(service)
        }
        None => Err(Error::Other(format!(
            "the comment service {} did not start (see its messages above)",
            bin.display()
        ))),
    }
}
