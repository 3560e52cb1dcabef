//! The real SMTP server of the tests: `python -m aiosmtpd` with its Maildir
//! handler, on a free port; messages are read back with Python's `email`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

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

/// A free port on 127.0.0.1 (bound, then released for the server).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running aiosmtpd; stopped on drop.
pub struct Smtp {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    /// More `aiosmtpd` arguments (TLS certificates).
    args: Vec<std::ffi::OsString>,
}

impl Smtp {
    /// A server that is not running yet (the SMTP outage), on a free port.
    pub fn down() -> Smtp {
        Smtp {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
            args: Vec::new(),
        }
    }

    /// A running server.
    pub fn up() -> Smtp {
        let mut s = Smtp::down();
        s.start();
        s
    }

    /// A running server started with more arguments.
    pub fn up_with(args: &[&std::ffi::OsStr]) -> Smtp {
        let mut s = Smtp::down();
        s.args = args.iter().map(|a| a.to_os_string()).collect();
        s.start();
        s
    }

    /// Starts it (again) and waits until it accepts connections.
    pub fn start(&mut self) {
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .args(&self.args)
            .arg(self.dir.path().join("maildir"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < end, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The `smtp_url` for the service.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, parsed (see [`parse`]), oldest first.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.dir.path().join("maildir").join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| parse(p)).collect()
    }

    /// Waits until at least `n` messages arrived (or `secs` passed).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Value> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() > end {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

const PARSE: &str = r#"
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
out = {'headers': {k.lower(): str(v) for k, v in m.items()}, 'content_type': m.get_content_type()}
for part in m.walk():
    if part.get_content_type() in ('text/plain', 'text/html') and not part.is_multipart():
        out[part.get_content_type().split('/')[1]] = part.get_content()
print(json.dumps(out))
"#;

/// One message as `{"headers": {lowercase name: value}, "content_type",
/// "plain", "html"}`, decoded by Python's `email` package.
pub fn parse(path: &Path) -> Value {
    let out = Command::new(python())
        .args(["-c", PARSE])
        .arg(path)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `{base}/mail/{route}?t=…` links in a text.
pub fn links(text: &str, route: &str) -> Vec<String> {
    let needle = format!("/mail/{route}?t=");
    text.split_whitespace()
        .filter(|w| w.contains(&needle))
        .map(|w| w.trim_matches(|c| c == '<' || c == '>').to_string())
        .collect()
}
