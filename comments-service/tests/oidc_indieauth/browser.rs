//! A plain HTTP client that behaves like a browser where the sign-in flows
//! need it: cookies per host (set, sent, expired), redirects followed by
//! hand (so a test can stop at the service's callback), HTML forms read and
//! submitted.

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use url::Url;

/// One answer: status, `Location` resolved, the `Set-Cookie` names, body.
#[derive(Debug)]
pub struct Page {
    pub url: Url,
    pub status: u16,
    pub location: Option<Url>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

#[derive(Default)]
pub struct Browser {
    http: reqwest::Client,
    /// host:port → cookie name → value.
    jar: BTreeMap<String, BTreeMap<String, String>>,
}

fn host_key(u: &Url) -> String {
    format!(
        "{}:{}",
        u.host_str().unwrap_or(""),
        u.port_or_known_default().unwrap_or(0)
    )
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .unwrap(),
            jar: BTreeMap::new(),
        }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        self.get_with(url, &[]).await
    }

    /// GET with extra request headers (what a proxy adds).
    pub async fn get_with(&mut self, url: &str, headers: &[(&str, &str)]) -> Page {
        let u = Url::parse(url).unwrap();
        let mut rb = self.http.get(u.clone());
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        self.send(u, rb).await
    }

    pub async fn post_form(&mut self, url: &str, fields: &[(String, String)]) -> Page {
        let u = Url::parse(url).unwrap();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let rb = self
            .http
            .post(u.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(u, rb).await
    }

    /// POST of a JSON body with extra headers (the CSRF token).
    pub async fn post_json(&mut self, url: &str, body: &str, headers: &[(&str, &str)]) -> Page {
        let u = Url::parse(url).unwrap();
        let mut rb = self
            .http
            .post(u.clone())
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        self.send(u, rb).await
    }

    async fn send(&mut self, u: Url, mut rb: reqwest::RequestBuilder) -> Page {
        if let Some(c) = self.jar.get(&host_key(&u)).filter(|c| !c.is_empty()) {
            let header = c
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            rb = rb.header(COOKIE, header);
        }
        let res = rb.send().await.unwrap_or_else(|e| panic!("{u}: {e}"));
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| u.join(l).unwrap());
        let mut set_cookies = Vec::new();
        for v in res.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let lower = v.to_ascii_lowercase();
            let gone = lower.contains("max-age=0") || lower.contains("expires=thu, 01 jan 1970");
            let jar = self.jar.entry(host_key(&u)).or_default();
            if gone {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_string(), value.trim().to_string());
            }
            set_cookies.push(name.trim().to_string());
        }
        let body = res.text().await.unwrap_or_default();
        Page {
            url: u,
            status,
            location,
            set_cookies,
            body,
        }
    }

    /// Follows redirects and submits each page's first form (with `fill`
    /// for its text fields and `button` for which submit button) until a
    /// redirect points where `stop` says; answers that URL.
    pub async fn drive(
        &mut self,
        start: &str,
        fill: &[(&str, &str)],
        button: Option<(&str, &str)>,
        stop: impl Fn(&Url) -> bool,
    ) -> Url {
        let mut page = self.get(start).await;
        for _ in 0..20 {
            if let Some(next) = page.location.clone() {
                if stop(&next) {
                    return next;
                }
                page = self.get(next.as_str()).await;
                continue;
            }
            assert_eq!(page.status, 200, "{}: {}", page.url, page.body);
            let (action, fields) = first_form(&page.body, &page.url, fill, button)
                .unwrap_or_else(|| panic!("{}: no form in {}", page.url, page.body));
            page = self.post_form(action.as_str(), &fields).await;
        }
        panic!("too many steps from {start}");
    }
}

/// The first form's action and its fields: hidden and filled inputs, and
/// the submit button chosen by `button` (name, value) if it has one.
pub fn first_form(
    html: &str,
    base: &Url,
    fill: &[(&str, &str)],
    button: Option<(&str, &str)>,
) -> Option<(Url, Vec<(String, String)>)> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse("form").unwrap();
    let input_sel = scraper::Selector::parse("input[name], button[name]").unwrap();
    let form = doc.select(&form_sel).next()?;
    let action = base.join(form.value().attr("action").unwrap_or("")).ok()?;
    let mut fields = Vec::new();
    for el in form.select(&input_sel) {
        let name = el.value().attr("name").unwrap().to_string();
        let value = el.value().attr("value").unwrap_or("").to_string();
        let kind = el.value().attr("type").unwrap_or("text");
        if el.value().name() == "button" || kind == "submit" {
            if button.is_some_and(|(n, v)| n == name && v == value) {
                fields.push((name, value));
            }
            continue;
        }
        match fill.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => fields.push((name, v.to_string())),
            None => fields.push((name, value)),
        }
    }
    Some((action, fields))
}

/// The value of query parameter `name` of `u` ("" when absent).
pub fn param(u: &Url, name: &str) -> String {
    u.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `u` with query parameter `name` set to `value` (a tampered callback).
pub fn with_param(u: &Url, name: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut out = u.clone();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

/// The `field` of an error answer.
pub fn error_field(body: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    v["error"]["field"].as_str().unwrap_or("").to_string()
}
