//! draft-cavage-http-signatures-12, as Mastodon signs and expects:
//! `Signature: keyId="…",algorithm="rsa-sha256",headers="(request-target)
//! host date digest",signature="…"`, with `Digest: SHA-256=…` of the body.

use super::{Claim, Refused, Request, b64, check_time, header_value, sha256, sha512, unb64};

/// The `k="v"` parameters of a Signature header.
fn params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = &rest[eq + 1..];
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (&q[..end], &q[end + 1..]),
                None => (q, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        out.push((key, value.to_string()));
        rest = tail.trim_start_matches(',').trim();
    }
    out
}

/// Parses and checks the signature of `req` (all but the key itself).
pub fn claim(req: &Request<'_>) -> Result<Claim, Refused> {
    let raw = match header_value(req.headers, "signature") {
        Some(s) => s,
        None => header_value(req.headers, "authorization")
            .and_then(|a| a.strip_prefix("Signature ").map(str::to_string))
            .ok_or_else(|| Refused::new("no HTTP signature"))?,
    };
    let p = params(&raw);
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let key_id = get("keyid").ok_or_else(|| Refused::new("the signature has no keyId"))?;
    let signature = get("signature")
        .and_then(unb64)
        .ok_or_else(|| Refused::new("the signature is not base64"))?;
    if let Some(alg) = get("algorithm")
        && !matches!(alg, "rsa-sha256" | "hs2019")
    {
        return Err(Refused::new(format!("unsupported algorithm {alg:?}")));
    }
    let names: Vec<String> = get("headers")
        .unwrap_or("date")
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |n: &str| names.iter().any(|h| h == n);
    if !has("(request-target)") || !has("host") {
        return Err(Refused::new(
            "the signature must cover (request-target) and host",
        ));
    }
    if !req.body.is_empty() && !has("digest") {
        return Err(Refused::new(
            "the signature must cover the digest of the body",
        ));
    }
    // The time: `(created)` when signed, else the Date header.
    let at = if has("(created)") {
        get("created").and_then(|c| c.parse::<i64>().ok())
    } else if has("date") {
        header_value(req.headers, "date").and_then(|d| http_date(&d))
    } else {
        None
    }
    .ok_or_else(|| Refused::new("the signature must cover a date"))?;
    check_time(at, req.now)?;
    if has("digest") {
        check_digest(req)?;
    }
    let mut base = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            base.push('\n');
        }
        let value = match n.as_str() {
            "(request-target)" => format!("{} {}", req.method.to_ascii_lowercase(), req.target),
            "(created)" => get("created").unwrap_or_default().to_string(),
            "(expires)" => get("expires").unwrap_or_default().to_string(),
            h => header_value(req.headers, h)
                .ok_or_else(|| Refused::new(format!("the signed header {h} is missing")))?,
        };
        base.push_str(&format!("{n}: {value}"));
    }
    Ok(Claim {
        key_id: key_id.to_string(),
        base: base.into_bytes(),
        signature,
        pss: false,
    })
}

/// The `Digest` header must name the body's SHA-256 (or SHA-512).
fn check_digest(req: &Request<'_>) -> Result<(), Refused> {
    let d = header_value(req.headers, "digest").ok_or_else(|| Refused::new("no Digest header"))?;
    for part in d.split(',') {
        if let Some((alg, v)) = part.trim().split_once('=') {
            let want = match alg.to_ascii_lowercase().as_str() {
                "sha-256" => sha256(req.body),
                "sha-512" => sha512(req.body),
                _ => continue,
            };
            return if v.trim() == b64(&want) {
                Ok(())
            } else {
                Err(Refused::new("the Digest does not match the body"))
            };
        }
    }
    Err(Refused::new("the Digest names no SHA-256 or SHA-512"))
}

/// An HTTP date (`Tue, 15 Nov 1994 08:12:31 GMT`) in seconds.
pub fn http_date(s: &str) -> Option<i64> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(s.trim())
        .ok()
        .map(|t| t.as_second())
}

/// `now` as an HTTP date.
pub fn format_http_date(now: jiff::Timestamp) -> String {
    now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The headers of a signed request from us: `Date`, `Digest`, `Signature`
/// over `(request-target) host date digest`; `sign` signs the string.
pub fn sign_headers(
    method: &str,
    url: &url::Url,
    body: &[u8],
    key_id: &str,
    now: jiff::Timestamp,
    sign: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> Option<Vec<(String, String)>> {
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str()?),
        None => url.host_str()?.to_string(),
    };
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let date = format_http_date(now);
    let digest = format!("SHA-256={}", b64(&sha256(body)));
    let base = format!(
        "(request-target): {} {target}\nhost: {host}\ndate: {date}\ndigest: {digest}",
        method.to_ascii_lowercase()
    );
    let sig = sign(base.as_bytes())?;
    Some(vec![
        ("Host".into(), host),
        ("Date".into(), date),
        ("Digest".into(), digest),
        (
            "Signature".into(),
            format!(
                "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{}\"",
                b64(&sig)
            ),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[test]
    fn parameters_parse_with_commas_inside_quotes() {
        let p = params(
            "keyId=\"https://a.example/u#k\",algorithm=\"rsa-sha256\",headers=\"(request-target) host\",signature=\"YQ==\"",
        );
        assert_eq!(p[0], ("keyid".into(), "https://a.example/u#k".into()));
        assert_eq!(p[2].1, "(request-target) host");
        assert_eq!(p[3].1, "YQ==");
    }

    #[test]
    fn what_we_sign_is_what_we_verify_and_a_changed_body_is_refused() {
        let url = url::Url::parse("https://b.example:8443/inbox").unwrap();
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let body = br#"{"type":"Follow"}"#;
        let mut signed = None;
        let hs = sign_headers("POST", &url, body, "https://a.example/k", now, |b| {
            signed = Some(b.to_vec());
            Some(b"sig".to_vec())
        })
        .unwrap();
        let mut headers = HeaderMap::new();
        for (k, v) in &hs {
            headers.insert(
                axum::http::HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let req = Request {
            method: "POST",
            target: "/inbox",
            headers: &headers,
            body,
            base_url: "https://b.example:8443",
            now: now.as_second() + 10,
        };
        let c = claim(&req).unwrap();
        assert_eq!(Some(c.base), signed);
        assert_eq!(c.signature, b"sig");
        assert_eq!(c.key_id, "https://a.example/k");
        let other = Request { body: b"{}", ..req };
        assert!(claim(&other).unwrap_err().0.contains("Digest"));
        let late = Request {
            now: now.as_second() + 301,
            ..other
        };
        assert!(claim(&late).unwrap_err().0.contains("5 minutes"));
    }
}
