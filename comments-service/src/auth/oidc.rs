//! Sign-in with an OpenID Connect provider (`[[sign_in.oidc]]`), through the
//! `openidconnect` crate: discovery from the issuer, the authorization code
//! flow with PKCE S256, `state` and `nonce`, and the ID token checked against
//! the provider's JWKS (signature, issuer, audience, expiry, nonce, and the
//! access-token hash when present). Nothing here writes JWT code by hand.
//!
//! The flow record (PKCE verifier, nonce, redirect URI, return URL) waits in
//! the store under the state and is taken once, so a replayed callback, a
//! tampered state or a code from someone else's flow finds nothing.

use axum::http::StatusCode;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::Identity;
use super::flow;
use super::provider_http::ProviderHttp;
use crate::error::{Error, Result};
use crate::sign_in_config::OidcProvider;
use crate::state::AppState;

/// The flow-record kind, so an IndieAuth state never finishes an OIDC flow.
const KIND: &str = "oidc";

/// What the callback needs from the start of the flow.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    verifier: String,
    nonce: String,
    redirect_uri: String,
    return_to: String,
}

/// The profile claims both the ID token and the userinfo answer may carry
/// (the two types share the getters' names, not a trait).
macro_rules! profile_of {
    ($c:expr) => {
        Profile {
            name: $c
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
            username: $c.preferred_username().map(|u| u.as_str().to_string()),
            email: $c.email().map(|e| e.as_str().to_string()),
            email_verified: $c.email_verified(),
            website: $c
                .website()
                .and_then(|w| w.get(None))
                .map(|u| u.as_str().to_string()),
            profile: $c
                .profile()
                .and_then(|p| p.get(None))
                .map(|u| u.as_str().to_string()),
            picture: $c
                .picture()
                .and_then(|p| p.get(None))
                .map(|u| u.as_str().to_string()),
        }
    };
}

/// The claims a comment's identity is made of.
struct Profile {
    name: Option<String>,
    username: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    website: Option<String>,
    profile: Option<String>,
    picture: Option<String>,
}

/// The configured provider called `name`, or 404 naming `provider`.
fn provider<'a>(app: &'a AppState, name: &str) -> Result<&'a OidcProvider> {
    app.cfg
        .sign_in
        .oidc
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            Error::field(
                StatusCode::NOT_FOUND,
                "provider",
                format!("no sign-in provider is called {name:?}"),
            )
        })
}

/// A provider that cannot be reached or answers nonsense: 502 naming it.
/// `what` is logged (it holds URLs and error classes, never codes or tokens).
fn unreachable(name: &str, what: impl std::fmt::Display) -> Error {
    tracing::warn!(provider = %name, error = %what, "OpenID Connect provider failed");
    Error::field(
        StatusCode::BAD_GATEWAY,
        "provider",
        format!("the sign-in provider {name:?} did not answer as expected; try again later"),
    )
}

async fn discover(app: &AppState, p: &OidcProvider) -> Result<CoreProviderMetadata> {
    let issuer = IssuerUrl::new(p.issuer.clone()).map_err(|e| unreachable(&p.name, e))?;
    let http = ProviderHttp(&app.webmention.fetcher);
    CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(|e| unreachable(&p.name, with_sources(&e)))
}

/// `e` and its causes: discovery's own message ("Request failed") hides
/// why (a refused address, a timeout). Only for public documents: the
/// causes of a token or userinfo error may quote what the provider sent.
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// Starts a sign-in with provider `name`: keeps the flow record and answers
/// the provider's authorization URL to send the reader to.
pub async fn begin(app: &AppState, name: &str, return_to: &Url, callback: Url) -> Result<Url> {
    let p = provider(app, name)?;
    let metadata = discover(app, p).await?;
    let redirect_uri = callback.to_string();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.expose().to_string())),
    )
    .set_redirect_uri(RedirectUrl::from_url(callback));
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        provider: p.name.clone(),
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        redirect_uri,
        return_to: return_to.to_string(),
    };
    flow::put(app, KIND, state.secret(), &pending).await?;
    Ok(url)
}

pub use super::flow::Callback;

/// Finishes the sign-in of provider `name`: takes the flow record, redeems
/// the code (with the PKCE verifier), checks the ID token, and answers who
/// signed in and where they return.
pub async fn finish(app: &AppState, name: &str, cb: &Callback) -> Result<(Identity, String)> {
    // The record is taken first: whatever happens next, this state is spent.
    let pending: Pending = flow::take(app, KIND, &cb.state).await?;
    if pending.provider != name {
        return Err(Error::bad(
            "state",
            "this sign-in was started with another provider",
        ));
    }
    if let Some(error) = &cb.error {
        let error: String = error
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect();
        return Err(Error::field(
            StatusCode::FORBIDDEN,
            "code",
            format!("the provider did not sign you in ({error})"),
        ));
    }
    if cb.code.is_empty() {
        return Err(Error::bad("code", "the provider sent no code"));
    }
    let p = provider(app, name)?;
    let metadata = discover(app, p).await?;
    // RFC 9207: an answer naming another issuer is a mix-up, not ours.
    if let Some(iss) = &cb.iss
        && iss != metadata.issuer().as_str()
    {
        return Err(Error::field(
            StatusCode::FORBIDDEN,
            "iss",
            "the answer is not from the provider that was asked",
        ));
    }
    let redirect = RedirectUrl::new(pending.redirect_uri).map_err(|e| unreachable(name, e))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.expose().to_string())),
    )
    .set_redirect_uri(redirect);
    let http = ProviderHttp(&app.webmention.fetcher);
    let tokens = client
        .exchange_code(AuthorizationCode::new(cb.code.clone()))
        .map_err(|e| unreachable(name, e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(provider = %name, error = %e, "OpenID Connect code refused");
            Error::field(
                StatusCode::FORBIDDEN,
                "code",
                "the provider refused this sign-in code (used already, or expired); start again",
            )
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| unreachable(name, "the token answer has no ID token"))?;
    let verifier = client.id_token_verifier();
    let refused = |e: &dyn std::fmt::Display| {
        tracing::warn!(provider = %name, error = %e, "OpenID Connect ID token refused");
        Error::field(
            StatusCode::FORBIDDEN,
            "id_token",
            "the provider's ID token did not pass the checks; start again",
        )
    };
    let claims: &CoreIdTokenClaims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce))
        .map_err(|e| refused(&e))?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token.signing_alg().map_err(|e| refused(&e))?;
        let key = id_token.signing_key(&verifier).map_err(|e| refused(&e))?;
        let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
            .map_err(|e| refused(&e))?;
        if actual != *expected {
            return Err(refused(&"the access token hash does not match"));
        }
    }
    let mut identity = identity_of(name, profile_of!(claims));
    if identity.is_none() {
        // Many providers keep profile claims out of the ID token of the
        // code flow; the userinfo answer must be about the same subject.
        let info: CoreUserInfoClaims = client
            .user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .map_err(|e| unreachable(name, e))?
            .request_async(&http)
            .await
            .map_err(|e| unreachable(name, e))?;
        identity = identity_of(name, profile_of!(info));
    }
    let mut identity = identity.unwrap_or_else(|| Identity {
        name: claims.subject().as_str().chars().take(80).collect(),
        url: None,
        email: None,
        photo: None,
        verified_by: format!("oidc:{name}"),
        sub: None,
    });
    identity.sub = Some(claims.subject().as_str().to_string());
    Ok((identity, pending.return_to))
}

/// The identity the claims give, if they carry a name: `name`, else
/// `preferred_username`; the e-mail only when the provider verified it.
fn identity_of(provider: &str, c: Profile) -> Option<Identity> {
    let name = c
        .name
        .or(c.username)
        .map(|n| n.trim().chars().take(80).collect::<String>())
        .filter(|n| !n.is_empty())?;
    let web = |u: &String| u.starts_with("https://") || u.starts_with("http://");
    Some(Identity {
        name,
        url: c.website.filter(web).or(c.profile.filter(web)),
        email: c.email.filter(|_| c.email_verified == Some(true)),
        photo: c.picture.filter(|u| u.starts_with("https://")),
        verified_by: format!("oidc:{provider}"),
        sub: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, email_verified: Option<bool>) -> Profile {
        Profile {
            name: Some(name.into()),
            username: Some("ada".into()),
            email: Some("ada@example.org".into()),
            email_verified,
            website: Some("javascript:alert(1)".into()),
            profile: Some("https://forge.example/ada".into()),
            picture: Some("http://forge.example/a.png".into()),
        }
    }

    #[test]
    fn only_a_verified_email_and_web_urls_are_kept() {
        let i = identity_of("forge", profile("  Ada L.  ", Some(true))).unwrap();
        assert_eq!(i.name, "Ada L.");
        assert_eq!(i.email.as_deref(), Some("ada@example.org"));
        assert_eq!(i.url.as_deref(), Some("https://forge.example/ada"));
        assert_eq!(i.photo, None, "an http photo would be mixed content");
        assert_eq!(i.verified_by, "oidc:forge");
        for unverified in [None, Some(false)] {
            let i = identity_of("forge", profile("Ada", unverified)).unwrap();
            assert_eq!(i.email, None);
        }
        let nameless = Profile {
            name: None,
            username: None,
            ..profile("", None)
        };
        assert!(identity_of("forge", nameless).is_none());
    }

    #[test]
    fn two_accounts_with_the_same_name_and_website_are_two_people() {
        let mut a = identity_of("forge", profile("Ada", None)).unwrap();
        let mut b = a.clone();
        a.sub = Some("248289761001".into());
        b.sub = Some("248289761002".into());
        assert_ne!(a.subject(), b.subject());
        let mut a_again = identity_of("forge", profile("Ada Lovelace", Some(true))).unwrap();
        a_again.sub = a.sub.clone();
        assert_eq!(
            a.subject(),
            a_again.subject(),
            "a renamed account stays itself"
        );
    }
}
