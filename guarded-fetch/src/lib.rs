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
//! of the project style ("the two binaries share no crate") is about the
//! HTTP contract between them (the export JSON, the form fields), where each
//! side owning its own types keeps either one from changing the contract by
//! accident. This crate carries no contract type; it is a utility, and for
//! security-critical code one copy is safer than two sibling copies that
//! drift (a range or a spelling fixed in one and forgotten in the other).

mod address;
mod resolve;
#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::redirect::Policy;
use url::{Host, Url};

use resolve::{GuardedResolver, classify};

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
        self.with_deadline(url, self.run(url, Body::Empty, true, &[]))
            .await
    }

    /// [`Fetcher::get`] with extra request headers (an `Accept` among them
    /// replaces the default one; a signature's `Date`, `Signature`).
    pub async fn get_with(
        &self,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<Fetched, FetchError> {
        self.with_deadline(url, self.run(url, Body::Empty, true, headers))
            .await
    }

    /// `GET` with extra request headers (an OpenID userinfo request's
    /// `Authorization: Bearer`); redirects are not followed, so the
    /// credential never travels to another host.
    pub async fn get_with_headers(
        &self,
        url: &str,
        headers: HeaderMap,
    ) -> Result<Fetched, FetchError> {
        let extra = header_pairs(&headers);
        self.with_deadline(url, self.run(url, Body::Empty, false, &extra))
            .await
    }

    /// `POST` of a raw body with extra request headers (an OAuth token
    /// request's `Authorization: Basic`); redirects are not followed.
    pub async fn post_with_headers(
        &self,
        url: &str,
        headers: HeaderMap,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Fetched, FetchError> {
        let body = Body::Raw {
            content_type: content_type.into(),
            bytes,
        };
        let extra = header_pairs(&headers);
        self.with_deadline(url, self.run(url, body, false, &extra))
            .await
    }

    /// [`Fetcher::post_raw`] with extra request headers (a signed delivery).
    pub async fn post_with(
        &self,
        url: &str,
        content_type: &str,
        bytes: Vec<u8>,
        headers: &[(String, String)],
    ) -> Result<Fetched, FetchError> {
        let body = Body::Raw {
            content_type: content_type.into(),
            bytes,
        };
        self.with_deadline(url, self.run(url, body, false, headers))
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
        self.with_deadline(url, self.run(url, Body::Form(fields), false, &[]))
            .await
    }

    /// `POST` with an empty body (the rebuild webhook).
    pub async fn post_empty(&self, url: &str) -> Result<Fetched, FetchError> {
        let body = Body::Raw {
            content_type: "text/plain".into(),
            bytes: Vec::new(),
        };
        self.with_deadline(url, self.run(url, body, false, &[]))
            .await
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
        self.with_deadline(url, self.run(url, body, false, &[]))
            .await
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

    async fn run(
        &self,
        url: &str,
        body: Body,
        follow: bool,
        extra: &[(String, String)],
    ) -> Result<Fetched, FetchError> {
        let own_accept = extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("accept"));
        let mut current = parse_http_url(url)?;
        let mut hops = 0;
        loop {
            self.check_host(&current)?;
            let mut request = match &body {
                Body::Empty if own_accept => self.client.get(current.clone()),
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
            for (k, v) in extra {
                request = request.header(k.as_str(), v.as_str());
            }
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

/// `headers` as the name/value pairs `Fetcher::run` takes (values that are
/// not text are left out: none of ours are).
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}
