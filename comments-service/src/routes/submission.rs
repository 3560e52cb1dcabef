//! A new comment as the reader sent it, JSON or HTML form, before any field
//! is checked: the post handler parses it, and the no-JS error page fills
//! the form again from it.

use serde_json::Value;

use crate::error::{Error, Result};

/// The fields of a new comment as sent (JSON or form), before parsing.
#[derive(Debug, Default, Clone)]
pub struct Submission {
    pub page: Option<String>,
    pub parent: Option<String>,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: Option<String>,
    pub homepage: Option<String>,
    pub started: Option<String>,
    /// `true`/`on`: subscribe the e-mail address to replies (double opt-in).
    pub notify: Option<String>,
    /// The commenter token from an earlier comment (see `trust`).
    pub commenter: Option<String>,
    /// `posted`: a form asks to land on the service's page of the new
    /// comment (the theme's form does); without it a form post goes back
    /// to the page, as the contract says.
    pub landing: Option<String>,
    /// A signed-in reader's anti-forgery token (forms; JSON sends the
    /// `X-CSRF-Token` header).
    pub csrf: Option<String>,
}

impl Submission {
    pub fn from_form(bytes: &[u8]) -> Submission {
        let mut s = Submission::default();
        for (k, v) in url::form_urlencoded::parse(bytes) {
            let slot = match k.as_ref() {
                "page" => &mut s.page,
                "parent" => &mut s.parent,
                "author" => &mut s.author,
                "email" => &mut s.email,
                "website" => &mut s.website,
                "body" => &mut s.body,
                "homepage" => &mut s.homepage,
                "started" => &mut s.started,
                "notify" => &mut s.notify,
                "commenter" => &mut s.commenter,
                "landing" => &mut s.landing,
                "csrf" => &mut s.csrf,
                _ => continue,
            };
            *slot = Some(v.into_owned());
        }
        s
    }

    pub fn from_json(bytes: &[u8]) -> Result<Submission> {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|_| Error::bad("body", "the request is not valid JSON"))?;
        let Value::Object(o) = v else {
            return Err(Error::bad("body", "expected a JSON object"));
        };
        let field = |name: &'static str| -> Result<Option<String>> {
            match o.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Number(n)) if matches!(name, "parent" | "started") => {
                    Ok(Some(n.to_string()))
                }
                Some(Value::Bool(b)) if name == "notify" => Ok(Some(b.to_string())),
                Some(_) => Err(Error::bad(name, "expected text")),
            }
        };
        Ok(Submission {
            page: field("page")?,
            parent: field("parent")?,
            author: field("author")?,
            email: field("email")?,
            website: field("website")?,
            body: field("body")?,
            homepage: field("homepage")?,
            started: field("started")?,
            notify: field("notify")?,
            commenter: field("commenter")?,
            landing: None,
            csrf: None,
        })
    }
}

/// The optional `Idempotency-Key` header: 1 to 128 visible ASCII characters.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let k = v.to_str().unwrap_or("").trim();
    if k.is_empty() || k.len() > 128 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::bad(
            "idempotency-key",
            "send 1 to 128 visible ASCII characters (e.g. a UUID)",
        ));
    }
    Ok(Some(k.to_string()))
}
