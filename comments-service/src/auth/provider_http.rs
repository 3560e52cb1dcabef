//! The HTTP client the `openidconnect` crate is given: every request to an
//! OpenID provider (discovery, JWKS, token, userinfo) goes through the
//! service's guarded [`Fetcher`], so a configured issuer is held to the same
//! SSRF rules as a Webmention source (loopback only with
//! `allow_private_addresses`) and to its size and time limits.

use std::future::Future;
use std::pin::Pin;

use openidconnect::http::{self, HeaderMap, Method, StatusCode};
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::fetch::{FetchError, Fetcher};

/// Why a provider request failed. The message names the URL and the
/// transport failure; request bodies (codes, secrets) are never in it.
#[derive(Debug, thiserror::Error)]
pub enum ProviderHttpError {
    /// The guarded client refused or failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A method the sign-in flows never use.
    #[error("{0}: unsupported method")]
    Method(Method),
    /// The answer could not be rebuilt as an HTTP response.
    #[error("bad response: {0}")]
    Response(#[from] http::Error),
}

/// The guarded client, as `openidconnect` wants it.
pub struct ProviderHttp<'a>(pub &'a Fetcher);

impl<'c> AsyncHttpClient<'c> for ProviderHttp<'_> {
    type Error = ProviderHttpError;
    type Future =
        Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(self.0, request))
    }
}

async fn send(fetcher: &Fetcher, request: HttpRequest) -> Result<HttpResponse, ProviderHttpError> {
    let url = request.uri().to_string();
    let mut headers = HeaderMap::new();
    let mut content_type = "application/x-www-form-urlencoded".to_string();
    for (name, value) in request.headers() {
        if name == http::header::CONTENT_TYPE {
            content_type = value.to_str().unwrap_or_default().to_string();
        } else {
            headers.insert(name.clone(), value.clone());
        }
    }
    let fetched = match *request.method() {
        // Discovery and JWKS carry no credential; userinfo carries a
        // bearer token and is never redirected.
        Method::GET if headers.contains_key(http::header::AUTHORIZATION) => {
            fetcher.get_with_headers(&url, headers).await?
        }
        Method::GET => fetcher.get(&url).await?,
        Method::POST => {
            fetcher
                .post_with_headers(&url, headers, &content_type, request.into_body())
                .await?
        }
        ref other => return Err(ProviderHttpError::Method(other.clone())),
    };
    let mut response = http::Response::builder()
        .status(StatusCode::from_u16(fetched.status).unwrap_or(StatusCode::BAD_GATEWAY));
    for (name, value) in &fetched.headers {
        response = response.header(name, value);
    }
    Ok(response.body(fetched.body)?)
}
