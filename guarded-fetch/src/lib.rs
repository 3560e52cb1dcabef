//! The one guarded HTTP client of Causerie.
//!
//! Every outbound request of each binary goes through [`Fetcher`]: in the
//! comment service, Webmention and Pingback verification, the pages manifest
//! and the rebuild webhook; in the generator, Webmention endpoint discovery,
//! Webmention and Pingback posts and the export fetch. A stranger picks most
//! of those URLs (a Webmention source, a link target, an endpoint a page
//! advertises): without guards they could make us read the service's own
//! admin port, the cloud metadata address or a LAN printer (SSRF), or hold a
//! worker forever with an endless or slow body.
//!
//! The guards:
//! - a DNS resolver that drops loopback, private, link-local, CGNAT,
//!   multicast, documentation, reserved and IPv4-mapped answers, and whose
//!   checked addresses are the only ones the connector dials (no
//!   DNS-rebinding gap between check and connect);
//! - IP-literal hosts (which the connector never resolves) checked before
//!   each request, in every spelling the URL parser accepts (`127.1`,
//!   `0x7f.1`, `2130706433`, `[::ffff:127.0.0.1]` all normalise to one
//!   address first);
//! - redirects followed by hand, capped, each hop re-checked;
//! - connect, per-read and total timeouts (a slow drip is cut by the total);
//! - a size cap counted while streaming, so a huge body never sits in memory;
//! - no proxy from the environment, a descriptive User-Agent (each binary
//!   passes its own in [`FetchConfig::new`]).
//!
//! `allow_private_addresses` relaxes only the address check (tests, the
//! site's own URLs, private deployments); every other guard stays.
//!
//! Why a crate shared by two binaries that otherwise share none: the wall
//! in `shared/STYLE.md` ("the two binaries share no crate") is about the
//! HTTP contract between them (the export JSON, the form fields), where each
//! side owning its own types keeps either one from changing the contract by
//! accident. This crate carries no contract type; it is a utility, and for
//! security-critical code one copy is safer than two sibling copies that
//! drift (a range or a spelling fixed in one and forgotten in the other).

mod address;

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::redirect::Policy;
use url::{Host, Url};

pub use address::is_public;
/// The header types of [`Fetched::headers`], so callers need no `reqwest` of their own.
pub use reqwest::header;

/// What a GET asks for: HTML first (microformats, endpoint discovery), then
/// the plain-text and JSON sources Webmention also allows.
const ACCEPT_HTML: &str =
    "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/json;q=0.7,*/*;q=0.1";

/// Settings of the guarded client.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Let requests reach loopback and private ranges (default `false`).
    pub allow_private_addresses: bool,
    /// Sent as `User-Agent`: the binary's product name and version.
    pub user_agent: String,
    /// Time allowed to open a connection (default 5 s).
    pub connect_timeout: Duration,
    /// Time allowed for one read of the body to make progress (default 5 s).
    pub read_timeout: Duration,
    /// Deadline for the whole exchange, redirects and body included (default 15 s).
    pub total_timeout: Duration,
    /// Largest body kept, counted while streaming (default 1 MiB).
    pub max_body_bytes: usize,
    /// Redirects followed before giving up (default 5).
    pub max_redirects: usize,
}

impl FetchConfig {
    /// The default guards with `user_agent` (for example
    /// `causerie-comments/0.1.0 (Webmention; +https://www.w3.org/TR/webmention/)`):
    /// there is no `Default`, so each binary always names itself.
    pub fn new(user_agent: impl Into<String>) -> FetchConfig {
        FetchConfig {
            allow_private_addresses: false,
            user_agent: user_agent.into(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_body_bytes: 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// What a fetch brought back.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL that answered, after redirects.
    pub final_url: Url,
    /// The HTTP status of the last answer.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// All headers of the last answer.
    pub headers: HeaderMap,
    /// The body, at most `max_body_bytes` long.
    pub body: Vec<u8>,
}

impl Fetched {
    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why a fetch did not bring back an answer.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not an absolute http(s) URL.
    #[error("{0}: not an absolute http(s) URL")]
    BadUrl(String),
    /// The host is, or resolves to, an address we must not reach.
    #[error("{url}: refused: {reason}")]
    Refused { url: String, reason: String },
    /// More redirects than `max_redirects`.
    #[error("{0}: too many redirects")]
    TooManyRedirects(String),
    /// The body is larger than `max_body_bytes`.
    #[error("{0}: body larger than the limit")]
    TooLarge(String),
    /// Connect, read or total deadline passed.
    #[error("{0}: timed out")]
    Timeout(String),
    /// Any other transport failure.
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
}

/// The guarded client. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish()
    }
}

enum Body {
    Empty,
    Form(Vec<(String, String)>),
    Raw {
        content_type: String,
        bytes: Vec<u8>,
    },
}

impl Fetcher {
    /// Builds the client. Fails only if the TLS backend cannot start.
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        let resolver = GuardedResolver {
            allow_private: config.allow_private_addresses,
        };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            .redirect(Policy::none())
            .no_proxy()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.total_timeout)
            .referer(false)
            // No idle pool: every request dials anew through the guarded
            // resolver, and a peer's half-closed keep-alive is never reused.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| FetchError::Transport {
                url: String::new(),
                message: format!("cannot start the HTTP client: {e}"),
            })?;
        Ok(Fetcher {
            client,
            config: Arc::new(config.clone()),
        })
    }

    /// The settings this client was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// `GET`, following redirects (each hop re-checked).
    pub async fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        self.with_deadline(url, self.run(url, Body::Empty, true))
            .await
    }

    /// `POST` of an `application/x-www-form-urlencoded` body; redirects are
    /// not followed (the answer to a POST is the answer).
    pub async fn post_form(
        &self,
        url: &str,
        fields: &[(&str, &str)],
    ) -> Result<Fetched, FetchError> {
        let fields = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.with_deadline(url, self.run(url, Body::Form(fields), false))
            .await
    }

    /// `POST` with an empty body (the rebuild webhook).
    pub async fn post_empty(&self, url: &str) -> Result<Fetched, FetchError> {
        let body = Body::Raw {
            content_type: "text/plain".into(),
            bytes: Vec::new(),
        };
        self.with_deadline(url, self.run(url, body, false)).await
    }

    /// `POST` of a raw body with its content type (XML-RPC).
    pub async fn post_raw(
        &self,
        url: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Fetched, FetchError> {
        let body = Body::Raw {
            content_type: content_type.into(),
            bytes,
        };
        self.with_deadline(url, self.run(url, body, false)).await
    }

    async fn with_deadline(
        &self,
        url: &str,
        fut: impl Future<Output = Result<Fetched, FetchError>>,
    ) -> Result<Fetched, FetchError> {
        // reqwest's own timeout is per hop; this one bounds the whole chain.
        match tokio::time::timeout(self.config.total_timeout, fut).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout(url.to_string())),
        }
    }

    async fn run(&self, url: &str, body: Body, follow: bool) -> Result<Fetched, FetchError> {
        let mut current = parse_http_url(url)?;
        let mut hops = 0;
        loop {
            self.check_host(&current)?;
            let request = match &body {
                Body::Empty => self.client.get(current.clone()).header(ACCEPT, ACCEPT_HTML),
                Body::Form(fields) => self.client.post(current.clone()).form(fields),
                Body::Raw {
                    content_type,
                    bytes,
                } => self
                    .client
                    .post(current.clone())
                    .header(CONTENT_TYPE, content_type.as_str())
                    .body(bytes.clone()),
            };
            let mut response = request
                .send()
                .await
                .map_err(|e| classify(current.as_str(), &e))?;
            let status = response.status();
            if follow
                && status.is_redirection()
                && let Some(next) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| current.join(loc).ok())
            {
                hops += 1;
                if hops > self.config.max_redirects {
                    return Err(FetchError::TooManyRedirects(url.to_string()));
                }
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(FetchError::BadUrl(next.to_string()));
                }
                current = next;
                continue;
            }
            let limit = self.config.max_body_bytes;
            if response.content_length().is_some_and(|n| n > limit as u64) {
                return Err(FetchError::TooLarge(current.to_string()));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| classify(current.as_str(), &e))?
            {
                if bytes.len() + chunk.len() > limit {
                    return Err(FetchError::TooLarge(current.to_string()));
                }
                bytes.extend_from_slice(&chunk);
            }
            let headers = response.headers().clone();
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            return Ok(Fetched {
                final_url: current,
                status: status.as_u16(),
                content_type,
                headers,
                body: bytes,
            });
        }
    }

    /// IP-literal hosts never reach the resolver, so they are checked here.
    fn check_host(&self, url: &Url) -> Result<(), FetchError> {
        if self.config.allow_private_addresses {
            return Ok(());
        }
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) => return Ok(()),
            None => return Err(FetchError::BadUrl(url.to_string())),
        };
        if is_public(ip) {
            Ok(())
        } else {
            Err(FetchError::Refused {
                url: url.to_string(),
                reason: format!("{ip} is not a public address"),
            })
        }
    }
}

/// Parses `raw` as an absolute http(s) URL with a host.
pub fn parse_http_url(raw: &str) -> Result<Url, FetchError> {
    let url = Url::parse(raw.trim()).map_err(|_| FetchError::BadUrl(raw.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(FetchError::BadUrl(raw.to_string()));
    }
    Ok(url)
}

/// Maps a reqwest error to ours, finding a refusal from the resolver.
fn classify(url: &str, error: &reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<RefusedName>() {
            return FetchError::Refused {
                url: url.to_string(),
                reason: refused.0.clone(),
            };
        }
        source = e.source();
    }
    if error.is_timeout() {
        return FetchError::Timeout(url.to_string());
    }
    FetchError::Transport {
        url: url.to_string(),
        message: if error.is_connect() {
            "cannot connect".into()
        } else {
            "transfer failed".into()
        },
    }
}

/// The resolver's refusal, carried through reqwest's error chain.
#[derive(Debug)]
struct RefusedName(String);

impl std::fmt::Display for RefusedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for RefusedName {}

/// Resolves with the system resolver, then keeps only public addresses.
/// The connector dials exactly what this returns.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let answers: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn StdError + Send + Sync>)?
                .collect();
            let kept: Vec<SocketAddr> = answers
                .iter()
                .copied()
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if kept.is_empty() {
                let reason = match answers.first() {
                    Some(a) => format!("{host} resolves to {}, not a public address", a.ip()),
                    None => format!("{host} has no address"),
                };
                return Err(Box::new(RefusedName(reason)) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings every test starts from.
    fn config() -> FetchConfig {
        FetchConfig::new("causerie-fetch-test/0 (+https://example.org/)")
    }

    #[test]
    fn every_spelling_of_loopback_is_an_ip_literal_and_refused() {
        let fetcher = Fetcher::new(&config()).unwrap();
        for raw in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://0x7f.1/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://017700000001/",
            "http://0177.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://0.0.0.0/",
            "http://0/",
        ] {
            let url = parse_http_url(raw).unwrap();
            assert!(
                matches!(fetcher.check_host(&url), Err(FetchError::Refused { .. })),
                "{raw} must be refused"
            );
        }
    }

    #[test]
    fn rejects_non_http_urls() {
        for raw in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "/relative",
            "mailto:a@b",
        ] {
            assert!(parse_http_url(raw).is_err(), "{raw}");
        }
    }

    #[tokio::test]
    async fn localhost_is_refused_after_resolution() {
        let fetcher = Fetcher::new(&config()).unwrap();
        let err = fetcher.get("http://localhost:9/").await.unwrap_err();
        assert!(matches!(err, FetchError::Refused { .. }), "{err:?}");
    }

    /// A one-route-per-path HTTP server on 127.0.0.1 for the client tests;
    /// answers are raw response heads (and bodies) by path.
    fn serve(answers: Vec<(&'static str, String)>) -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let answers = answers.clone();
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut head = String::new();
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        head.push_str(&line);
                    }
                    log.lock().unwrap().push(head.clone());
                    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                    let mut out = stream;
                    match answers.iter().find(|(p, _)| *p == path) {
                        Some((_, a)) if a == "DRIP" => {
                            let _ = out
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
                            while out.write_all(b"x").is_ok() {
                                std::thread::sleep(Duration::from_millis(50));
                            }
                        }
                        Some((_, a)) if a == "ENDLESS" => {
                            let _ = out
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
                            let chunk = vec![b'x'; 65536];
                            while out.write_all(&chunk).is_ok() {}
                        }
                        Some((_, a)) => {
                            let _ = out.write_all(a.as_bytes());
                        }
                        None => {
                            let _ = out
                                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                        }
                    }
                });
            }
        });
        (port, seen)
    }

    fn local(config: FetchConfig) -> Fetcher {
        Fetcher::new(&FetchConfig {
            allow_private_addresses: true,
            ..config
        })
        .unwrap()
    }

    fn redirect(to: &str) -> String {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
    }

    #[tokio::test]
    async fn follows_relative_redirects_and_reports_the_final_url() {
        let ok =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi".to_string();
        let (port, seen) = serve(vec![("/a", redirect("b?q=1")), ("/b?q=1", ok)]);
        let got = local(config())
            .get(&format!("http://127.0.0.1:{port}/a"))
            .await
            .unwrap();
        assert_eq!(
            got.final_url.as_str(),
            format!("http://127.0.0.1:{port}/b?q=1")
        );
        assert_eq!((got.status, got.body.as_slice()), (200, &b"hi"[..]));
        let heads = seen.lock().unwrap().join("");
        assert!(
            heads
                .to_ascii_lowercase()
                .contains("user-agent: causerie-fetch-test/0 "),
            "{heads}"
        );
    }

    #[tokio::test]
    async fn redirects_are_capped_and_must_stay_http() {
        let (port, _) = serve(vec![
            ("/loop", redirect("/loop")),
            ("/ftp", redirect("ftp://127.0.0.1/x")),
        ]);
        let f = local(config());
        let err = f
            .get(&format!("http://127.0.0.1:{port}/loop"))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::TooManyRedirects(_)), "{err:?}");
        let err = f
            .get(&format!("http://127.0.0.1:{port}/ftp"))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::BadUrl(_)), "{err:?}");
    }

    #[tokio::test]
    async fn bodies_over_the_cap_are_refused_whether_announced_or_streamed() {
        let big = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            10 * 1024 * 1024
        );
        let (port, _) = serve(vec![("/announced", big), ("/endless", "ENDLESS".into())]);
        let f = local(FetchConfig {
            max_body_bytes: 100_000,
            ..config()
        });
        for path in ["/announced", "/endless"] {
            let err = f
                .get(&format!("http://127.0.0.1:{port}{path}"))
                .await
                .unwrap_err();
            assert!(matches!(err, FetchError::TooLarge(_)), "{path}: {err:?}");
        }
    }

    #[tokio::test]
    async fn a_slow_drip_is_cut_by_the_total_deadline() {
        let (port, _) = serve(vec![("/drip", "DRIP".into())]);
        let f = local(FetchConfig {
            total_timeout: Duration::from_millis(500),
            ..config()
        });
        let err = f
            .get(&format!("http://127.0.0.1:{port}/drip"))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Timeout(_)), "{err:?}");
    }
}
