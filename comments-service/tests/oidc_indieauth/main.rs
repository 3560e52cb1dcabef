//! Sign-in with OpenID Connect and IndieAuth against real peers: npm
//! `oidc-provider` (tests/peers/oidc-provider.mjs, started here on
//! 127.0.0.1:0) and PyPI `django-indieweb` (a Django project in
//! `indieauth_site/`, from tests/.venv), driven by a plain HTTP client that
//! follows redirects and submits their login and consent forms.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod browser;
mod indieauth;
mod indieauth_server;
mod oidc;
mod oidc_server;
