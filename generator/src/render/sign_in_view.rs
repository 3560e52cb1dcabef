//! The sign-in choices of a post page: what a login-only blog shows in
//! place of the anonymous form, and the optional "Sign in" of an open one.
//! Every choice is a plain form or link to the comment service, so it works
//! without JavaScript through full-page redirects (docs/sign-in.md).

use serde::Serialize;

use crate::conversation::sign_in::SignIn;
use crate::i18n::Strings;

/// One OpenID Connect provider: a link that starts its sign-in.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub name: String,
    pub href: String,
    /// "Sign in with NAME".
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInView {
    /// No anonymous form: the page says `required_text` instead.
    pub required: bool,
    pub required_text: String,
    /// Where the service sends the reader back (the post's absolute URL).
    pub return_url: String,
    /// `POST` target of the e-mail link form, when e-mail sign-in is on.
    pub email_action: Option<String>,
    /// `GET` target of the IndieAuth form, when IndieAuth is on.
    pub indieauth_action: Option<String>,
    pub oidc: Vec<ProviderView>,
    /// The service's comment form for a signed-in reader without
    /// JavaScript (`GET /auth/comment?page=PATH`: it carries the token a
    /// static page cannot know).
    pub comment_href: String,
    /// `POST` target of the plain sign-out form.
    pub sign_out_action: String,
}

impl SignInView {
    /// `None` when the service offers no way to sign in.
    pub fn new(
        s: &SignIn,
        service: &str,
        page: &str,
        return_url: &str,
        strings: &Strings,
    ) -> Option<SignInView> {
        if !s.offered() {
            return None;
        }
        let ret: String = url::form_urlencoded::byte_serialize(return_url.as_bytes()).collect();
        let path: String = url::form_urlencoded::byte_serialize(page.as_bytes()).collect();
        Some(SignInView {
            required: s.required,
            required_text: strings.get("sign_in_required", None),
            return_url: return_url.to_string(),
            email_action: s.email.then(|| format!("{service}/auth/email")),
            indieauth_action: s.indieauth.then(|| format!("{service}/auth/indieauth")),
            oidc: s
                .oidc
                .iter()
                .map(|name| ProviderView {
                    name: name.clone(),
                    href: format!("{service}/auth/oidc/{name}?return={ret}"),
                    label: strings.get("sign_in_with", None).replace("{name}", name),
                })
                .collect(),
            comment_href: format!("{service}/auth/comment?page={path}"),
            sign_out_action: format!("{service}/auth/sign-out"),
        })
    }

    /// What embed.js needs to know (the `sign_in` of `#causerie-strings`).
    pub fn for_script(&self) -> serde_json::Value {
        serde_json::json!({
            "required": self.required,
            "methods": self.email_action.is_some()
                || self.indieauth_action.is_some()
                || !self.oidc.is_empty(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_follow_the_settings_and_links_carry_the_return() {
        let strings = Strings::default();
        assert!(
            SignInView::new(
                &SignIn::default(),
                "https://b/c",
                "/p/",
                "https://b/p/",
                &strings
            )
            .is_none()
        );
        let s = SignIn {
            required: true,
            email: true,
            indieauth: false,
            oidc: vec!["forge".into()],
        };
        let v = SignInView::new(
            &s,
            "https://b/comments",
            "/posts/a b/",
            "https://b/posts/a b/",
            &strings,
        )
        .unwrap();
        assert!(v.required);
        assert_eq!(
            v.email_action.as_deref(),
            Some("https://b/comments/auth/email")
        );
        assert_eq!(v.indieauth_action, None);
        assert_eq!(
            v.comment_href,
            "https://b/comments/auth/comment?page=%2Fposts%2Fa+b%2F"
        );
        assert_eq!(
            v.oidc[0].href,
            "https://b/comments/auth/oidc/forge?return=https%3A%2F%2Fb%2Fposts%2Fa+b%2F"
        );
    }
}
