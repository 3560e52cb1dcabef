//! Sign-in with the reader's own site, IndieAuth (the 2022 spec): discovery
//! (see `discovery`), the authorization request with PKCE S256 and `state`,
//! the code redeemed at the authorization endpoint for the profile URL
//! (§5.3.3; no token is needed to learn who someone is), and the returned
//! `me` confirmed against the authorization server that was asked (§5.4).

use axum::http::StatusCode;
use openidconnect::{CsrfToken, PkceCodeChallenge};
use serde::{Deserialize, Serialize};
use url::Url;

use super::Identity;
use super::discovery::{self, Profile, canonical_me};
use super::flow;
use crate::error::{Error, Result};
use crate::fetch::header::{ACCEPT, HeaderMap, HeaderValue};
use crate::state::AppState;

/// The flow-record kind, so an OIDC state never finishes an IndieAuth flow.
const KIND: &str = "indieauth";

/// What the callback needs from the start of the flow.
#[derive(Serialize, Deserialize)]
struct Pending {
    me: String,
    issuer: Option<String>,
    authorization_endpoint: String,
    verifier: String,
    client_id: String,
    redirect_uri: String,
    return_to: String,
    name: Option<String>,
    photo: Option<String>,
}

/// Starts a sign-in as `me`: discovers its authorization server, keeps the
/// flow record and answers the authorization URL to send the reader to.
/// `client_id` is the service's public base URL, `callback` our callback.
pub async fn begin(
    app: &AppState,
    me: &str,
    return_to: &Url,
    client_id: &Url,
    callback: &Url,
) -> Result<Url> {
    let me = canonical_me(me, app.cfg.allow_private_addresses)?;
    let profile = discovery::discover(&app.webmention.fetcher, &me).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = CsrfToken::new_random();
    let mut url = profile.authorization_endpoint.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id.as_str())
        .append_pair("redirect_uri", callback.as_str())
        .append_pair("state", state.secret())
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256")
        .append_pair("me", profile.me.as_str());
    let pending = Pending {
        me: profile.me.to_string(),
        issuer: profile.issuer,
        authorization_endpoint: profile.authorization_endpoint.to_string(),
        verifier: verifier.secret().clone(),
        client_id: client_id.to_string(),
        redirect_uri: callback.to_string(),
        return_to: return_to.to_string(),
        name: profile.name,
        photo: profile.photo,
    };
    flow::put(app, KIND, state.secret(), &pending).await?;
    Ok(url)
}

pub use super::flow::Callback;

/// The profile-URL answer of the authorization endpoint (§5.3.3).
#[derive(Deserialize)]
struct Redeemed {
    me: String,
}

fn refused(field: &'static str, message: impl Into<String>) -> Error {
    Error::field(StatusCode::FORBIDDEN, field, message)
}

/// Finishes an IndieAuth sign-in: takes the flow record, checks `iss`,
/// redeems the code, confirms the returned `me`, and answers who signed in
/// and where they return.
pub async fn finish(app: &AppState, cb: &Callback) -> Result<(Identity, String)> {
    // The record is taken first: whatever happens next, this state is spent.
    let pending: Pending = flow::take(app, KIND, &cb.state).await?;
    if let Some(error) = &cb.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        return Err(refused(
            "code",
            format!("your site did not sign you in ({error})"),
        ));
    }
    if let Some(issuer) = &pending.issuer
        && cb.iss.as_deref() != Some(issuer.as_str())
    {
        return Err(refused(
            "iss",
            "the answer is not from the server that was asked",
        ));
    }
    if cb.code.is_empty() {
        return Err(Error::bad("code", "the server sent no code"));
    }
    let returned = redeem(app, &pending, &cb.code).await?;
    let returned = canonical_me(&returned, app.cfg.allow_private_addresses)
        .map_err(|_| refused("me", "the server answered an unusable profile URL"))?;
    let (me, name, photo) = if returned.as_str() == pending.me {
        (returned, pending.name, pending.photo)
    } else {
        // §5.4: another URL is only believed if it names the same server.
        let other: Profile = discovery::discover(&app.webmention.fetcher, &returned)
            .await
            .map_err(|_| refused("me", "the returned profile URL could not be confirmed"))?;
        if other.authorization_endpoint.as_str() != pending.authorization_endpoint
            || other.issuer != pending.issuer
        {
            return Err(refused(
                "me",
                "the returned profile URL uses another authorization server",
            ));
        }
        (other.me, other.name, other.photo)
    };
    let name = name.unwrap_or_else(|| host_and_path(&me));
    let identity = Identity {
        name,
        url: Some(me.to_string()),
        email: None,
        photo,
        verified_by: "indieauth".into(),
        sub: None,
    };
    Ok((identity, pending.return_to))
}

/// Redeems `code` at the authorization endpoint for the profile URL.
async fn redeem(app: &AppState, p: &Pending, code: &str) -> Result<String> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("client_id", &p.client_id)
        .append_pair("redirect_uri", &p.redirect_uri)
        .append_pair("code_verifier", &p.verifier)
        .finish();
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let answer = app
        .webmention
        .fetcher
        .post_with_headers(
            &p.authorization_endpoint,
            headers,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await
        .map_err(|e| {
            tracing::warn!(endpoint = %p.authorization_endpoint, error = %e, "IndieAuth code redemption failed");
            Error::field(
                StatusCode::BAD_GATEWAY,
                "code",
                "your site's authorization server did not answer; try again later",
            )
        })?;
    if answer.status != 200 {
        tracing::info!(endpoint = %p.authorization_endpoint, status = answer.status, "IndieAuth code refused");
        return Err(refused(
            "code",
            "your site refused this sign-in code (used already, or expired); start again",
        ));
    }
    // JSON per the 2022 spec; older servers answer form-encoded.
    if let Ok(r) = serde_json::from_slice::<Redeemed>(&answer.body) {
        return Ok(r.me);
    }
    url::form_urlencoded::parse(&answer.body)
        .find(|(k, _)| k == "me")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| refused("code", "your site's answer named no profile URL"))
}

/// `example.com/alice`: a readable name for a profile without an h-card name.
fn host_and_path(me: &Url) -> String {
    let host = me.host_str().unwrap_or_default();
    let path = me.path().trim_end_matches('/');
    format!("{host}{path}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_profile_without_a_name_is_shown_as_host_and_path() {
        let u = url::Url::parse("https://example.com/alice/").unwrap();
        assert_eq!(super::host_and_path(&u), "example.com/alice");
        let u = url::Url::parse("https://example.com/").unwrap();
        assert_eq!(super::host_and_path(&u), "example.com");
    }
}
