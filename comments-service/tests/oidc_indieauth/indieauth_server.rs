//! The real IndieAuth server: PyPI `django-indieweb` in the small Django
//! site of `indieauth_site/` (Python from tests/.venv), on 127.0.0.1:0 with
//! a fresh SQLite database and the user `ada`; killed on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const PASSWORD: &str = "ada-password-7c1e55";

/// The Python of tests/.venv (CAUSERIE_VENV when tests/run set it).
fn python() -> PathBuf {
    let venv = std::env::var_os("CAUSERIE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/.venv"));
    let py = venv.join("bin/python");
    assert!(
        py.exists(),
        "no tests/.venv: python3 -m venv tests/.venv && tests/.venv/bin/pip install -r tests/requirements.txt (tests/run does this)"
    );
    py
}

pub struct IndieAuthServer {
    /// `http://127.0.0.1:N` (no trailing slash).
    pub origin: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl IndieAuthServer {
    pub fn start() -> IndieAuthServer {
        let dir = tempfile::tempdir().unwrap();
        let site =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc_indieauth/indieauth_site");
        let mut child = Command::new(python())
            .arg(site.join("serve.py"))
            .env("INDIEAUTH_DB", dir.path().join("indieauth.db"))
            .env("INDIEAUTH_PASSWORD", PASSWORD)
            .env("INDIEAUTH_LOG", "ERROR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the Django IndieAuth site");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = tx.send(first);
        });
        let first = rx.recv_timeout(Duration::from_secs(60)).expect(
            "the Django IndieAuth site printed no port (is django-indieweb in tests/.venv?)",
        );
        let port = first
            .trim()
            .strip_prefix("port ")
            .unwrap_or_else(|| panic!("first line was {first:?}"))
            .to_string();
        IndieAuthServer {
            origin: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for IndieAuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
