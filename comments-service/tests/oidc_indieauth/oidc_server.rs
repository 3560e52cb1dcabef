//! The real OpenID provider: `node tests/peers/oidc-provider.mjs` (npm
//! `oidc-provider` from tests/node_modules), on 127.0.0.1:0; killed on drop.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const CLIENT_SECRET: &str = "the-client-secret-3f9c2a71d04e";

pub struct OidcServer {
    pub issuer: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl OidcServer {
    /// Starts the provider; it answers its discovery only after [`register`].
    pub fn start() -> OidcServer {
        let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
        assert!(
            tests.join("node_modules/oidc-provider").exists(),
            "no tests/node_modules/oidc-provider: (cd tests && npm ci) (tests/run does this)"
        );
        let mut child = Command::new("node")
            .arg(tests.join("peers/oidc-provider.mjs"))
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node (apt-get install nodejs)");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("oidc-provider printed no port");
        let port = first
            .strip_prefix("port ")
            .expect("a `port N` line")
            .to_string();
        OidcServer {
            issuer: format!("http://127.0.0.1:{port}"),
            stdin: child.stdin.take(),
            child,
            lines,
        }
    }

    /// Registers the client `causerie` with `redirect_uri`, then waits for `ready`.
    pub fn register(&mut self, redirect_uri: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{redirect_uri}").unwrap();
        stdin.flush().unwrap();
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .expect("oidc-provider did not get ready");
        assert_eq!(line, "ready");
    }
}

impl Drop for OidcServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
