//! The `[sign_in]` table and its `[[sign_in.oidc]]` providers: how readers
//! may sign in (CONTRACT.md, "Commenters and notifications"). Validated once
//! with the rest of the configuration; client secrets only ever show as
//! `Secret(..)`.

use serde::Deserialize;

/// `[sign_in]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInFileConfig {
    /// Only signed-in readers may comment. Default false.
    #[serde(default)]
    pub required: bool,
    /// A one-time link by mail (needs `[mail]`). Default false.
    #[serde(default)]
    pub email: bool,
    /// IndieAuth: the reader's own domain. Default false.
    #[serde(default)]
    pub indieauth: bool,
    /// OpenID Connect providers.
    #[serde(default)]
    pub oidc: Vec<OidcFileConfig>,
    /// Days a session lasts. Default 30.
    pub session_days: Option<u32>,
    /// A site whose IndieAuth sign-in is the owner (e.g. `https://me.example/`);
    /// the `[mail] owner` address is the owner too.
    pub owner_url: Option<String>,
}

/// One `[[sign_in.oidc]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFileConfig {
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
}

/// A secret from the configuration (a client secret): `Debug` and `Display`
/// never show it; [`Secret::expose`] is for the one place that sends it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself, for the request that needs it only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(secret)")
    }
}

/// The validated `[sign_in]` table (`cfg.sign_in`).
#[derive(Debug, Clone, Default)]
pub struct SignInConfig {
    pub required: bool,
    pub email: bool,
    pub indieauth: bool,
    pub oidc: Vec<OidcProvider>,
    pub session_days: u32,
    /// The owner's site (IndieAuth identity), if set.
    pub owner_url: Option<url::Url>,
}

impl SignInConfig {
    /// True when any way of signing in is on.
    pub fn any_method(&self) -> bool {
        self.email || self.indieauth || !self.oidc.is_empty()
    }
}

/// One OpenID Connect provider.
#[derive(Debug, Clone)]
pub struct OidcProvider {
    /// The name in routes (`/auth/oidc/{name}`) and on the page.
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// Checks `[sign_in]`; `mail_on` says whether `[mail]` is configured.
pub fn sign_in_settings(f: SignInFileConfig, mail_on: bool) -> Result<SignInConfig, String> {
    if f.email && !mail_on {
        return Err(
            "sign_in.email: needs [mail] (smtp_url and from) to send the sign-in links".into(),
        );
    }
    let session_days = f.session_days.unwrap_or(30);
    if session_days == 0 {
        return Err("sign_in.session_days: must be at least 1".into());
    }
    let mut oidc: Vec<OidcProvider> = Vec::new();
    for (i, p) in f.oidc.into_iter().enumerate() {
        let at = |key: &str| format!("sign_in.oidc[{i}].{key}");
        let name = p
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("{}: required", at("name")))?;
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "{}: {name:?} may hold only letters, digits, - and _ (it is part of a URL)",
                at("name")
            ));
        }
        if oidc.iter().any(|o| o.name == name) {
            return Err(format!("{}: {name:?} is used twice", at("name")));
        }
        let issuer = p
            .issuer
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("{}: required (the provider's issuer URL)", at("issuer")))?;
        let u = url::Url::parse(issuer.trim()).map_err(|e| format!("{}: {e}", at("issuer")))?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(format!("{}: must be an http(s) URL", at("issuer")));
        }
        let client_id = p
            .client_id
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("{}: required", at("client_id")))?;
        let client_secret = p
            .client_secret
            .filter(|s| !s.0.is_empty())
            .ok_or_else(|| format!("{}: required", at("client_secret")))?;
        oidc.push(OidcProvider {
            name,
            issuer: issuer.trim().to_string(),
            client_id,
            client_secret,
        });
    }
    let owner_url = match f.owner_url.filter(|s| !s.trim().is_empty()) {
        Some(raw) => {
            let u = url::Url::parse(raw.trim()).map_err(|e| format!("sign_in.owner_url: {e}"))?;
            if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                return Err("sign_in.owner_url: must be an http(s) URL".into());
            }
            Some(u)
        }
        None => None,
    };
    if f.required && !(f.email || f.indieauth || !oidc.is_empty()) {
        return Err(
            "sign_in.required: turn on at least one way to sign in (email, indieauth or [[sign_in.oidc]])"
                .into(),
        );
    }
    Ok(SignInConfig {
        required: f.required,
        email: f.email,
        indieauth: f.indieauth,
        oidc,
        session_days,
        owner_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SignInConfig, String> {
        #[derive(Deserialize)]
        struct W {
            sign_in: SignInFileConfig,
        }
        let w: W = toml::from_str(text).map_err(|e| e.to_string())?;
        sign_in_settings(w.sign_in, true)
    }

    #[test]
    fn providers_are_read_and_their_secret_hidden() {
        let c = parse(
            "[sign_in]\nemail = true\n[[sign_in.oidc]]\nname = \"corp\"\nissuer = \"https://id.example\"\nclient_id = \"c\"\nclient_secret = \"hunter2hunter2\"\n",
        )
        .unwrap();
        assert_eq!(c.oidc[0].name, "corp");
        assert_eq!(c.session_days, 30);
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn bad_tables_name_their_field() {
        let e = parse("[sign_in]\nemial = true\n").unwrap_err();
        assert!(e.contains("emial"), "{e}");
        let e = parse(
            "[sign_in]\n[[sign_in.oidc]]\nname = \"a\"\nclient_id = \"c\"\nclient_secret = \"s\"\n",
        )
        .unwrap_err();
        assert!(e.starts_with("sign_in.oidc[0].issuer"), "{e}");
        let e = parse("[sign_in]\nrequired = true\n").unwrap_err();
        assert!(e.starts_with("sign_in.required"), "{e}");
        let f = SignInFileConfig {
            email: true,
            ..Default::default()
        };
        let e = sign_in_settings(f, false).unwrap_err();
        assert!(e.starts_with("sign_in.email"), "{e}");
    }
}
