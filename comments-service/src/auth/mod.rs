//! Readers who sign in (issue 15): who they are ([`Identity`]), where a
//! sign-in may send them back to ([`check_return`]), and their sessions
//! ([`session`]). The ways of signing in (e-mail link, IndieAuth, OpenID
//! Connect) live in `routes::auth_*` and all end in [`session::establish`].

pub mod email;
pub mod limit;
pub mod session;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Result};

/// A signed-in reader, as a sign-in method vouched for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The name shown with their comments.
    pub name: String,
    /// Their site (IndieAuth `me`, or a provider's profile).
    pub url: Option<String>,
    /// Their address, when the method proved it (never shown or logged).
    pub email: Option<String>,
    pub photo: Option<String>,
    /// `"email"`, `"indieauth"` or `"oidc:<name>"`.
    pub verified_by: String,
}

impl Identity {
    /// What makes two sign-ins the same person: the method and the address
    /// or URL it proved (the name may change).
    pub fn subject(&self) -> String {
        let who = match self.verified_by.as_str() {
            "email" => self.email.as_deref().unwrap_or("").trim().to_lowercase(),
            _ => self
                .url
                .as_deref()
                .or(self.email.as_deref())
                .unwrap_or(&self.name)
                .trim()
                .to_string(),
        };
        format!("{}\0{who}", self.verified_by)
    }

    /// True when this is the blog's owner: the `[mail] owner` address proved
    /// by any method, or the `[sign_in] owner_url` site proved by IndieAuth.
    pub fn is_owner(&self, cfg: &Config) -> bool {
        let by_mail = match (
            &self.email,
            cfg.mail.as_ref().and_then(|m| m.owner.as_ref()),
        ) {
            (Some(e), Some(owner)) => same_address(e, owner),
            _ => false,
        };
        let by_url = match (&self.url, &cfg.sign_in.owner_url) {
            (Some(u), Some(owner)) if self.verified_by == "indieauth" => url::Url::parse(u)
                .is_ok_and(|u| {
                    u.host_str() == owner.host_str()
                        && u.port_or_known_default() == owner.port_or_known_default()
                }),
            _ => false,
        };
        by_mail || by_url
    }
}

/// `a` and `owner` are the same address (`owner` may be `Name <addr>`).
fn same_address(a: &str, owner: &str) -> bool {
    let bare = match (owner.rfind('<'), owner.rfind('>')) {
        (Some(l), Some(r)) if l < r => &owner[l + 1..r],
        _ => owner,
    };
    a.trim().eq_ignore_ascii_case(bare.trim())
}

/// The open-redirect guard: `raw` (absolute, or a path such as `/p/`) must
/// be on the site (`site_url`'s origin, under its path). Refusals name the
/// field `return`.
pub fn check_return(cfg: &Config, raw: &str) -> Result<url::Url> {
    let refuse = || Error::bad("return", "must be a page of the site");
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with("//") || raw.contains('\\') {
        return Err(refuse());
    }
    let u = if raw.starts_with('/') {
        cfg.site_url.join(raw).map_err(|_| refuse())?
    } else {
        url::Url::parse(raw).map_err(|_| refuse())?
    };
    let same_origin = u.origin() == cfg.site_url.origin();
    let base = cfg.site_url.path();
    let under = u.path().starts_with(base) || format!("{}/", u.path()) == base;
    if !same_origin || !under || !u.username().is_empty() || u.password().is_some() {
        return Err(refuse());
    }
    Ok(u)
}

/// What the export says of sign-in (names only, never a secret), for the
/// generator's pages: `{"email","indieauth","oidc":[{"name"}],"required"}`.
pub fn summary(s: &crate::sign_in_config::SignInConfig) -> serde_json::Value {
    serde_json::json!({
        "required": s.required,
        "email": s.email,
        "indieauth": s.indieauth,
        "oidc": s.oidc.iter().map(|o| serde_json::json!({"name": o.name})).collect::<Vec<_>>(),
    })
}

/// `n` random bytes as lowercase hex (ids, tokens, CSRF values).
pub fn random_hex(n: usize) -> Result<String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| Error::Config(format!("no random source: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A one-way hash of a token, as stored (a leak of the table gives no token).
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    fn cfg(site: &str) -> Config {
        let flags = Overrides {
            site_url: Some(site.into()),
            ..Default::default()
        };
        Config::load(None, &flags).unwrap()
    }

    #[test]
    fn return_must_stay_on_the_site() {
        let c = cfg("https://blog.example/");
        assert_eq!(
            check_return(&c, "/p/one/").unwrap().as_str(),
            "https://blog.example/p/one/"
        );
        assert!(check_return(&c, "https://blog.example/p/?x=1#c").is_ok());
        for bad in [
            "https://evil.example/",
            "//evil.example/p/",
            "http://blog.example/p/",
            "https://blog.example.evil.example/",
            "https://user@blog.example/",
            "javascript:alert(1)",
            "/\\evil.example",
            "",
        ] {
            let e = check_return(&c, bad).unwrap_err();
            assert_eq!(e.public().unwrap().1, "return", "{bad}");
        }
        let sub = cfg("https://x.example/blog/");
        assert!(check_return(&sub, "/blog/p/").is_ok());
        assert!(check_return(&sub, "/other/").is_err());
    }

    #[test]
    fn the_owner_site_counts_only_when_indieauth_proved_it() {
        let dir = std::env::temp_dir().join(format!("causerie-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "site_url = \"https://blog.example/\"\n[sign_in]\nindieauth = true\nowner_url = \"https://me.example/\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), &Overrides::default()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let who = |url: &str, by: &str| Identity {
            name: "Me".into(),
            url: Some(url.into()),
            email: None,
            photo: None,
            verified_by: by.into(),
        };
        assert!(who("https://me.example/", "indieauth").is_owner(&c));
        assert!(who("https://me.example/about", "indieauth").is_owner(&c));
        assert!(!who("https://me.example/", "oidc:corp").is_owner(&c));
        assert!(!who("https://me.example.evil/", "indieauth").is_owner(&c));
        assert!(!who("http://me.example:8080/", "indieauth").is_owner(&c));
        assert_ne!(
            who("https://a.example/", "indieauth").subject(),
            who("https://a.example/", "oidc:corp").subject(),
            "the same URL proved by another method is someone else"
        );
    }

    #[test]
    fn the_owner_is_recognised_by_address() {
        assert!(same_address("Me@Example.com", "Me <me@example.com>"));
        assert!(!same_address("me@example.co", "me@example.com"));
    }
}
