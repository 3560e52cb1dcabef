//! RFC 9421 HTTP message signatures: `Signature-Input: sig1=("@method"
//! "@target-uri" "content-digest");created=…;keyid="…";alg="…"` and
//! `Signature: sig1=:…:`, with `Content-Digest: sha-256=:…:` (RFC 9530).
//! The first signature of the request is checked.

use super::{Claim, Refused, Request, b64, check_time, header_value, sha256, sha512, unb64};

/// The first `label=value` member of a dictionary header.
fn first_member(s: &str) -> Option<(&str, &str)> {
    let (label, rest) = s.split_once('=')?;
    Some((label.trim(), rest.trim()))
}

/// The value of the component `name` of `req`.
fn component(req: &Request<'_>, name: &str) -> Result<String, Refused> {
    let (path, query) = match req.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (req.target, None),
    };
    Ok(match name {
        "@method" => req.method.to_ascii_uppercase(),
        "@target-uri" => format!("{}{}", req.base_url, req.target),
        "@authority" => header_value(req.headers, "host")
            .ok_or_else(|| Refused::new("no Host header"))?
            .to_ascii_lowercase(),
        "@scheme" => req
            .base_url
            .split(':')
            .next()
            .unwrap_or("https")
            .to_string(),
        "@request-target" => req.target.to_string(),
        "@path" => path.to_string(),
        "@query" => format!("?{}", query.unwrap_or("")),
        n if n.starts_with('@') => {
            return Err(Refused::new(format!("unsupported component {n}")));
        }
        h => header_value(req.headers, h)
            .ok_or_else(|| Refused::new(format!("the signed header {h} is missing")))?,
    })
}

/// Parses and checks the first signature of `req` (all but the key).
pub fn claim(req: &Request<'_>) -> Result<Claim, Refused> {
    let input = header_value(req.headers, "signature-input")
        .ok_or_else(|| Refused::new("no Signature-Input"))?;
    let sigs = header_value(req.headers, "signature")
        .ok_or_else(|| Refused::new("no Signature header"))?;
    let (label, params) =
        first_member(&input).ok_or_else(|| Refused::new("bad Signature-Input"))?;
    // This label's value in `Signature` (a dictionary: find `label=:…:`).
    let signature = sigs
        .split(',')
        .filter_map(first_member)
        .find(|(l, _)| *l == label)
        .and_then(|(_, v)| v.strip_prefix(':')?.strip_suffix(':').and_then(unb64))
        .ok_or_else(|| Refused::new(format!("no signature {label}")))?;
    // `params` may run on into the next member: keep this member only.
    let params = params.split(", ").next().unwrap_or(params).trim();
    let open = params
        .strip_prefix('(')
        .ok_or_else(|| Refused::new("bad Signature-Input"))?;
    let (list, after) = open
        .split_once(')')
        .ok_or_else(|| Refused::new("bad Signature-Input"))?;
    let names: Vec<String> = list
        .split_whitespace()
        .map(|n| n.trim_matches('"').to_ascii_lowercase())
        .collect();
    let param = |k: &str| {
        after.split(';').find_map(|p| {
            let (n, v) = p.split_once('=')?;
            (n.trim() == k).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    let key_id = param("keyid").ok_or_else(|| Refused::new("the signature has no keyid"))?;
    let pss = match param("alg").as_deref() {
        None | Some("rsa-v1_5-sha256") => false,
        Some("rsa-pss-sha512") => true,
        Some(a) => return Err(Refused::new(format!("unsupported alg {a:?}"))),
    };
    let created = param("created")
        .and_then(|c| c.parse::<i64>().ok())
        .ok_or_else(|| Refused::new("the signature has no created time"))?;
    check_time(created, req.now)?;
    let has = |n: &str| names.iter().any(|x| x == n);
    if !has("@method") || !(has("@target-uri") || (has("@authority") && has("@path"))) {
        return Err(Refused::new(
            "the signature must cover the method and the target",
        ));
    }
    if !req.body.is_empty() {
        if !has("content-digest") {
            return Err(Refused::new("the signature must cover content-digest"));
        }
        check_content_digest(req)?;
    }
    let mut base = String::new();
    for n in &names {
        base.push_str(&format!("\"{n}\": {}\n", component(req, n)?));
    }
    base.push_str(&format!("\"@signature-params\": {params}"));
    Ok(Claim {
        key_id,
        base: base.into_bytes(),
        signature,
        pss,
    })
}

/// `Content-Digest` must carry the body's sha-256 or sha-512.
fn check_content_digest(req: &Request<'_>) -> Result<(), Refused> {
    let d = header_value(req.headers, "content-digest")
        .ok_or_else(|| Refused::new("no Content-Digest header"))?;
    for part in d.split(',') {
        let Some((alg, v)) = part.trim().split_once('=') else {
            continue;
        };
        let want = match alg.trim() {
            "sha-256" => sha256(req.body),
            "sha-512" => sha512(req.body),
            _ => continue,
        };
        return if v.trim().trim_matches(':') == b64(&want) {
            Ok(())
        } else {
            Err(Refused::new("the Content-Digest does not match the body"))
        };
    }
    Err(Refused::new(
        "the Content-Digest names no sha-256 or sha-512",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[test]
    fn the_base_follows_the_rfc_and_a_bad_digest_is_refused() {
        let body = b"{\"hello\": \"world\"}";
        let mut h = HeaderMap::new();
        h.insert("host", "example.com".parse().unwrap());
        h.insert(
            "content-digest",
            format!("sha-256=:{}:", b64(&sha256(body))).parse().unwrap(),
        );
        h.insert(
            "signature-input",
            "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created=1618884473;keyid=\"test-key-rsa\""
                .parse()
                .unwrap(),
        );
        h.insert("signature", "sig1=:YWJj:".parse().unwrap());
        let req = Request {
            method: "POST",
            target: "/foo?param=Value&Pet=dog",
            headers: &h,
            body,
            base_url: "https://example.com",
            now: 1618884473,
        };
        let c = claim(&req).unwrap();
        assert_eq!(c.key_id, "test-key-rsa");
        assert_eq!(c.signature, b"abc");
        assert_eq!(
            String::from_utf8(c.base).unwrap(),
            format!(
                "\"@method\": POST\n\"@target-uri\": https://example.com/foo?param=Value&Pet=dog\n\"content-digest\": sha-256=:{}:\n\"@signature-params\": (\"@method\" \"@target-uri\" \"content-digest\");created=1618884473;keyid=\"test-key-rsa\"",
                b64(&sha256(body))
            )
        );
        let bad = Request { body: b"{}", ..req };
        assert!(claim(&bad).unwrap_err().0.contains("Content-Digest"));
    }
}
