//! `POST /webmention`: request validation (W3C Webmention §3.2.1) before
//! any fetch, then the request goes to the durable queue and the sender gets
//! 202 at once.
//!
//! Checks, each refusal naming its field: `source` and `target` present and
//! absolute http(s) URLs; not the same; `target` on `site_url` and a page of
//! the site (per the pages manifest, when there is one); the source's domain
//! not blocked; the source not on a private or reserved address (every
//! spelling, after DNS) unless `allow_private_addresses`; the source host
//! within its rate limit. Pingback shares these checks.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use url::{Host, Url};

use super::{Webmention, host_listed};
use crate::error::Error;
use crate::fetch::{is_public, parse_http_url};
use crate::model::PagePath;

/// A refused request: HTTP status, field, message, and the Pingback fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub field: &'static str,
    pub message: String,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
    /// The Pingback fault code for the same refusal.
    pub fault: i32,
}

impl Refusal {
    fn new(
        status: StatusCode,
        field: &'static str,
        fault: i32,
        message: impl Into<String>,
    ) -> Self {
        Refusal {
            status,
            field,
            message: message.into(),
            retry_after: None,
            fault,
        }
    }

    fn bad(field: &'static str, fault: i32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, field, fault, message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut res = Error::field(self.status, self.field, self.message).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// A request that passed validation.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub source: Url,
    pub target: Url,
    /// The target's path on the site, as the store keys pages.
    pub page: String,
}

/// Pingback fault codes (Pingback 1.0 §"Error codes").
pub mod fault {
    pub const GENERIC: i32 = 0;
    pub const SOURCE_NOT_FOUND: i32 = 16;
    pub const NO_LINK: i32 = 17;
    pub const TARGET_NOT_FOUND: i32 = 32;
    pub const TARGET_INVALID: i32 = 33;
    pub const ALREADY_REGISTERED: i32 = 48;
    pub const ACCESS_DENIED: i32 = 49;
    pub const UPSTREAM: i32 = 50;
}

/// Runs every check, in the order the spec gives, before any fetch.
pub async fn check_request(
    wm: &Webmention,
    source: Option<&str>,
    target: Option<&str>,
) -> Result<Accepted, Refusal> {
    let source = source.map(str::trim).filter(|s| !s.is_empty());
    let target = target.map(str::trim).filter(|s| !s.is_empty());
    let source = source.ok_or_else(|| {
        Refusal::bad(
            "source",
            fault::SOURCE_NOT_FOUND,
            "the source URL is missing",
        )
    })?;
    let target = target.ok_or_else(|| {
        Refusal::bad(
            "target",
            fault::TARGET_NOT_FOUND,
            "the target URL is missing",
        )
    })?;
    let source = parse_http_url(source).map_err(|_| {
        Refusal::bad(
            "source",
            fault::SOURCE_NOT_FOUND,
            "the source must be an absolute http or https URL",
        )
    })?;
    let target = parse_http_url(target).map_err(|_| {
        Refusal::bad(
            "target",
            fault::TARGET_NOT_FOUND,
            "the target must be an absolute http or https URL",
        )
    })?;
    let (mut s, mut t) = (source.clone(), target.clone());
    s.set_fragment(None);
    t.set_fragment(None);
    if s == t {
        return Err(Refusal::bad(
            "target",
            fault::TARGET_INVALID,
            "the source and the target must differ",
        ));
    }
    let site = &wm.cfg.site_url;
    if target.origin() != site.origin() || !target.path().starts_with(site.path()) {
        return Err(Refusal::bad(
            "target",
            fault::TARGET_INVALID,
            "the target is not on this site",
        ));
    }
    let page = PagePath::parse(target.as_str(), site).map_err(|_| {
        Refusal::bad(
            "target",
            fault::TARGET_INVALID,
            "the target is not a page of this site",
        )
    })?;
    if let Some(manifest) = wm.manifest.get()
        && !manifest.exists(page.as_str())
    {
        return Err(Refusal::bad(
            "target",
            fault::TARGET_NOT_FOUND,
            "the target is not a page of this site",
        ));
    }
    let host = source.host_str().unwrap_or_default().to_ascii_lowercase();
    if host_listed(&host, &wm.cfg.webmention.block) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "source",
            fault::ACCESS_DENIED,
            "this site does not accept mentions from that domain",
        ));
    }
    if !wm.cfg.allow_private_addresses {
        check_public(&source).await?;
    }
    if let Err(secs) = wm.rate_limit(&host) {
        let mut r = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "source",
            fault::GENERIC,
            format!("too many mentions from {host}; try again in {secs} seconds"),
        );
        r.retry_after = Some(secs);
        return Err(r);
    }
    Ok(Accepted {
        source,
        target,
        page: page.as_str().to_string(),
    })
}

/// Refuses a source whose host is, or only resolves to, a non-public
/// address. The fetch checks again at connect time (DNS may change).
async fn check_public(source: &Url) -> Result<(), Refusal> {
    let refused = || {
        Refusal::bad(
            "source",
            fault::SOURCE_NOT_FOUND,
            "the source is on a private or reserved address",
        )
    };
    let ip = match source.host() {
        Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        _ => None,
    };
    if let Some(ip) = ip {
        return if is_public(ip) {
            Ok(())
        } else {
            Err(refused())
        };
    }
    let host = source
        .host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_string();
    let lookup =
        tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((host, 0))).await;
    match lookup {
        Ok(Ok(addrs)) => {
            let addrs: Vec<_> = addrs.collect();
            if !addrs.is_empty() && addrs.iter().all(|a| !is_public(a.ip())) {
                Err(refused())
            } else {
                // Unresolvable now: let the worker try (and retry) later.
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// The form fields `source` and `target`.
pub fn form_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    let (mut source, mut target) = (None, None);
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "source" if source.is_none() => source = Some(v.into_owned()),
            "target" if target.is_none() => target = Some(v.into_owned()),
            _ => {}
        }
    }
    (source, target)
}

/// `POST /webmention`.
pub async fn webmention_receive(State(wm): State<Arc<Webmention>>, body: Bytes) -> Response {
    let (source, target) = form_fields(&body);
    let accepted = match check_request(&wm, source.as_deref(), target.as_deref()).await {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    if let Err(e) = wm
        .store
        .enqueue_verification(accepted.source.to_string(), accepted.target.to_string())
        .await
    {
        return e.into_response();
    }
    wm.wake.notify_one();
    tracing::info!(source = %accepted.source, target = %accepted.target, "webmention queued");
    (
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({
            "status": "accepted",
            "message": "the Webmention is queued for verification"
        })),
    )
        .into_response()
}
