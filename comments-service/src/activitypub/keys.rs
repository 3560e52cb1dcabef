//! The actor's RSA-2048 key pair: made once (by whichever instance asks
//! first) and kept in the store's `settings` as PKCS#8 DER, so every
//! instance and every restart signs with the same key. Made lazily, on the
//! first export or inbox request, off the async threads.
//!
//! aws-lc-rs (ISC AND (Apache-2.0 OR ISC), already linked for TLS) does the
//! RSA work: key generation, PKCS#8, SubjectPublicKeyInfo, signatures.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use tokio::sync::OnceCell;

use crate::error::{Error, Result};
use crate::store::Store;

/// The `settings` row of the key pair.
const SETTING: &str = "activitypub_key";

/// The actor's keys. Its `Debug` shows the public key only: the private
/// key never reaches a log or an answer.
pub struct ActorKeys {
    pair: KeyPair,
    /// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo), as published.
    pub public_pem: String,
}

impl std::fmt::Debug for ActorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorKeys")
            .field("public_pem", &self.public_pem)
            .finish_non_exhaustive()
    }
}

impl ActorKeys {
    /// Reads a PKCS#8 DER key pair.
    pub fn from_pkcs8(der: &[u8]) -> Result<ActorKeys> {
        let pair = KeyPair::from_pkcs8(der)
            .map_err(|e| Error::Config(format!("activitypub: the stored key is unusable: {e}")))?;
        let spki = pair
            .public_key()
            .as_der()
            .map_err(|_| Error::Config("activitypub: cannot encode the public key".into()))?;
        Ok(ActorKeys {
            public_pem: pem("PUBLIC KEY", spki.as_ref()),
            pair,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 of `data` (what draft-cavage
    /// `rsa-sha256` and RFC 9421 `rsa-v1_5-sha256` mean).
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &rng,
                data,
                &mut sig,
            )
            .map_err(|_| Error::Config("activitypub: signing failed".into()))?;
        Ok(sig)
    }
}

/// PEM armour of `der`, 64 characters a line.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(line).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// A fresh RSA-2048 key pair as PKCS#8 DER.
fn generate() -> Result<Vec<u8>> {
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| Error::Config("activitypub: cannot make a key pair".into()))?;
    let der = pair
        .as_der()
        .map_err(|_| Error::Config("activitypub: cannot encode the key pair".into()))?;
    Ok(der.as_ref().to_vec())
}

/// The actor's keys, loaded (or made and stored) on first use.
#[derive(Clone, Default)]
pub struct LazyKeys(Arc<OnceCell<Arc<ActorKeys>>>);

impl LazyKeys {
    /// The keys, from the store; the first call of all makes them.
    pub async fn get(&self, store: &Store) -> Result<Arc<ActorKeys>> {
        self.0
            .get_or_try_init(|| async {
                let der = match store.setting(SETTING).await? {
                    Some(d) => d,
                    None => {
                        let made = tokio::task::spawn_blocking(generate)
                            .await
                            .map_err(|_| Error::Closed)??;
                        // Another instance may have stored one meanwhile:
                        // the stored one wins.
                        store.setting_or_insert(SETTING, made).await?
                    }
                };
                Ok(Arc::new(ActorKeys::from_pkcs8(&der)?))
            })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_key_signs_what_its_published_pem_verifies_and_debug_hides_it() {
        let der = generate().unwrap();
        let keys = ActorKeys::from_pkcs8(&der).unwrap();
        let sig = keys.sign(b"(request-target): post /inbox").unwrap();
        let b64: String = keys
            .public_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let spki = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let public = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            spki,
        );
        assert!(
            public
                .verify(b"(request-target): post /inbox", &sig)
                .is_ok()
        );
        assert!(
            public
                .verify(b"(request-target): post /other", &sig)
                .is_err()
        );
        let shown = format!("{keys:?}");
        assert!(shown.contains("BEGIN PUBLIC KEY") && !shown.contains("PRIVATE"));
    }
}
