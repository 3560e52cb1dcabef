//! HTTP signatures on inbox requests: draft-cavage-http-signatures-12 as
//! Mastodon sends them ([`cavage`]) and RFC 9421 message signatures
//! ([`rfc9421`]). Both come down to one thing to check: a key id, the bytes
//! that were signed, and the signature over them.
//!
//! Written here on top of aws-lc-rs rather than with `sigh` (MIT, but it
//! links OpenSSL, a second crypto library beside the aws-lc the service
//! already has) or `httpsig` (MIT, 0.0.x, RSA behind the `rsa` crate and
//! pre-release RustCrypto curves): the signing strings are a few dozen lines.

pub mod cavage;
pub mod rfc9421;

use axum::http::HeaderMap;
use base64::Engine;
use sha2::Digest;

/// How far a signature's time may be from ours (each way).
pub const WINDOW_SECS: i64 = 300;

/// What a request's signature claims, ready to check against a key.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The `keyId` / `keyid`: the URL of the signer's public key.
    pub key_id: String,
    /// The signing string (cavage) or signature base (RFC 9421).
    pub base: Vec<u8>,
    pub signature: Vec<u8>,
    /// `rsa-pss-sha512` (RFC 9421 only) instead of PKCS#1 v1.5 SHA-256.
    pub pss: bool,
}

/// Why a request's signature is not accepted (the inbox answers 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl Refused {
    pub fn new(msg: impl Into<String>) -> Refused {
        Refused(msg.into())
    }
}

/// The request as the signature covers it.
pub struct Request<'a> {
    pub method: &'a str,
    /// Path and query as received (`/activitypub/inbox`).
    pub target: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The URL this service is reached at (for `@target-uri`), without a
    /// final `/`.
    pub base_url: &'a str,
    /// Now, in seconds since the epoch.
    pub now: i64,
}

/// The claim of whichever signature the request carries.
pub fn claim(req: &Request<'_>) -> Result<Claim, Refused> {
    if req.headers.contains_key("signature-input") {
        rfc9421::claim(req)
    } else {
        cavage::claim(req)
    }
}

/// Whether `claim` verifies with the public key `spki` (SubjectPublicKeyInfo
/// or PKCS#1 DER).
pub fn verifies(claim: &Claim, spki: &[u8]) -> bool {
    use aws_lc_rs::signature::{
        RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA512, UnparsedPublicKey,
    };
    let alg: &dyn aws_lc_rs::signature::VerificationAlgorithm = if claim.pss {
        &RSA_PSS_2048_8192_SHA512
    } else {
        &RSA_PKCS1_2048_8192_SHA256
    };
    UnparsedPublicKey::new(alg, spki)
        .verify(&claim.base, &claim.signature)
        .is_ok()
}

/// One header's value(s), joined with `, ` as both drafts say.
pub fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let vals: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .collect();
    (!vals.is_empty()).then(|| vals.join(", "))
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()
}

/// SHA-256 and SHA-512 of `body`, for the digest headers.
pub fn sha256(body: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(body).to_vec()
}

pub fn sha512(body: &[u8]) -> Vec<u8> {
    sha2::Sha512::digest(body).to_vec()
}

/// Refuses a signature time outside the window.
pub fn check_time(at: i64, now: i64) -> Result<(), Refused> {
    if (at - now).abs() > WINDOW_SECS {
        return Err(Refused::new(
            "the signature's time is more than 5 minutes from ours",
        ));
    }
    Ok(())
}

/// The PEM's DER (any label).
pub fn pem_der(pem: &str) -> Option<Vec<u8>> {
    let b: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.is_empty())
        .collect();
    unb64(&b)
}
