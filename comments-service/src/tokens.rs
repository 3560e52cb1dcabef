//! Signed tokens: edit tokens, commenter keys, admin sessions.
//!
//! Everything is an HMAC-SHA256 under the service's key, so nothing secret is
//! stored per comment and a database leak gives no working edit token.
//! Tokens never appear in logs: handlers only ever log ids.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The signing key (from config `secret`, else the one kept in the database).
#[derive(Clone)]
pub struct Keys {
    key: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Keys {
    pub fn new(key: &[u8]) -> Keys {
        Keys { key: key.to_vec() }
    }

    fn mac(&self, purpose: &str, data: &[u8]) -> HmacSha256 {
        let mut m =
            <HmacSha256 as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key length");
        m.update(purpose.as_bytes());
        m.update(&[0]);
        m.update(data);
        m
    }

    fn verify(&self, purpose: &str, data: &[u8], token_hex: &str) -> bool {
        match unhex(token_hex.trim()) {
            Some(sig) => self.mac(purpose, data).verify_slice(&sig).is_ok(),
            None => false,
        }
    }

    /// The edit token handed out for comment `id`.
    pub fn edit_token(&self, id: i64) -> String {
        hex(&self
            .mac("edit", id.to_string().as_bytes())
            .finalize()
            .into_bytes())
    }

    /// True if `token` is the edit token of comment `id` (constant time).
    pub fn edit_token_ok(&self, id: i64, token: &str) -> bool {
        self.verify("edit", id.to_string().as_bytes(), token)
    }

    /// A stable, non-reversible key for "the same commenter": name and e-mail
    /// together, as WordPress does, so knowing an approved commenter's public
    /// name is not enough to skip first-time moderation.
    pub fn commenter_key(&self, email: Option<&str>, author: &str) -> String {
        let who = format!(
            "name:{}\0email:{}",
            author.trim().to_lowercase(),
            email.unwrap_or("").trim().to_lowercase()
        );
        hex(&self.mac("who", who.as_bytes()).finalize().into_bytes()[..16])
    }

    /// A non-reversible key for a client address, for counters kept in a
    /// shared database (the address itself is not stored).
    pub fn address_key(&self, addr: &str) -> String {
        hex(&self.mac("addr", addr.as_bytes()).finalize().into_bytes()[..16])
    }

    /// An admin session cookie value valid until `expires` (Unix seconds).
    pub fn admin_session(&self, expires: i64) -> String {
        let sig = hex(&self
            .mac("admin", expires.to_string().as_bytes())
            .finalize()
            .into_bytes());
        format!("{expires}.{sig}")
    }

    /// True if `value` is an unexpired admin session.
    pub fn admin_session_ok(&self, value: &str, now: i64) -> bool {
        let Some((exp, sig)) = value.split_once('.') else {
            return false;
        };
        let Ok(e) = exp.parse::<i64>() else {
            return false;
        };
        e > now && self.verify("admin", exp.as_bytes(), sig)
    }

    /// The anti-forgery value the admin forms carry, tied to the session.
    pub fn csrf(&self, session: &str) -> String {
        hex(&self.mac("csrf", session.as_bytes()).finalize().into_bytes()[..16])
    }

    /// A signature of `data` for `purpose` (the links in mails, see `mail::links`).
    pub fn sign(&self, purpose: &str, data: &str) -> String {
        hex(&self.mac(purpose, data.as_bytes()).finalize().into_bytes())
    }

    /// True if `sig` is [`Keys::sign`] of `data` for `purpose` (constant time).
    pub fn signed_ok(&self, purpose: &str, data: &str, sig: &str) -> bool {
        self.verify(purpose, data.as_bytes(), sig)
    }

    /// Compares two secrets without leaking where they differ.
    pub fn same_secret(&self, a: &str, b: &str) -> bool {
        let tag = self.mac("cmp", a.as_bytes()).finalize().into_bytes();
        self.mac("cmp", b.as_bytes()).verify_slice(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_tokens_bind_to_their_comment() {
        let k = Keys::new(b"0123456789abcdef0123");
        let t = k.edit_token(7);
        assert!(k.edit_token_ok(7, &t));
        assert!(!k.edit_token_ok(8, &t));
        assert!(!k.edit_token_ok(7, "zz"));
        assert!(!Keys::new(b"another key entirely").edit_token_ok(7, &t));
    }

    #[test]
    fn a_commenter_is_name_and_email_together() {
        let k = Keys::new(b"0123456789abcdef0123");
        let ada = k.commenter_key(Some("ada@example.com"), "Ada");
        assert_eq!(ada, k.commenter_key(Some(" ADA@example.com "), "ada"));
        // the public name alone, or with another address, is someone else
        assert_ne!(ada, k.commenter_key(None, "Ada"));
        assert_ne!(ada, k.commenter_key(Some("eve@example.com"), "Ada"));
    }

    #[test]
    fn sessions_expire() {
        let k = Keys::new(b"k");
        let s = k.admin_session(100);
        assert!(k.admin_session_ok(&s, 99));
        assert!(!k.admin_session_ok(&s, 100));
        assert!(!k.admin_session_ok(&s.replace("100.", "999."), 99));
    }
}
