//! The WebFinger answer and the actor document.

use serde::Serialize;

use super::{ActorKey, CONTEXT, SECURITY, Urls};
use crate::config::Config;

#[derive(Serialize)]
struct Webfinger<'a> {
    subject: String,
    aliases: [&'a str; 2],
    links: [Link<'a>; 2],
}

#[derive(Serialize)]
struct Link<'a> {
    rel: &'static str,
    r#type: &'static str,
    href: &'a str,
}

/// The host part of `acct:` (the site's host, with its port if any).
pub fn host(config: &Config) -> String {
    url::Url::parse(&config.base_url)
        .ok()
        .and_then(|u| {
            let h = u.host_str()?.to_string();
            Some(match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h,
            })
        })
        .unwrap_or_default()
}

/// `/.well-known/webfinger` for `acct:<username>@<host>`.
pub fn webfinger(config: &Config, urls: &Urls, username: &str) -> Vec<u8> {
    super::json_bytes(&Webfinger {
        subject: format!("acct:{username}@{}", host(config)),
        aliases: [&urls.actor, &urls.home],
        links: [
            Link {
                rel: "self",
                r#type: "application/activity+json",
                href: &urls.actor,
            },
            Link {
                rel: "http://webfinger.net/rel/profile-page",
                r#type: "text/html",
                href: &urls.home,
            },
        ],
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Actor<'a> {
    #[serde(rename = "@context")]
    context: [&'static str; 2],
    id: &'a str,
    r#type: &'a str,
    preferred_username: &'a str,
    name: &'a str,
    summary: String,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<Image>,
    inbox: &'a str,
    outbox: &'a str,
    followers: &'a str,
    endpoints: Endpoints<'a>,
    manually_approves_followers: bool,
    discoverable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_key: Option<PublicKey<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Endpoints<'a> {
    shared_inbox: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Image {
    r#type: &'static str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicKey<'a> {
    id: &'a str,
    owner: &'a str,
    public_key_pem: &'a str,
}

/// The media type of an image file name, when it is a common one.
fn image_type(url: &str) -> Option<&'static str> {
    let ext = url.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// The actor document; without `key` it has no `publicKey` (the build
/// warns: nobody can verify the blog's deliveries then).
pub fn actor(config: &Config, urls: &Urls, key: Option<&ActorKey>) -> Vec<u8> {
    let ap = config.activitypub.as_ref();
    let icon = ap.and_then(|a| a.icon.as_deref()).map(|i| {
        let url = if i.starts_with('/') {
            config.abs_url(i)
        } else {
            i.to_string()
        };
        Image {
            r#type: "Image",
            media_type: image_type(&url),
            url,
        }
    });
    let summary = ap
        .and_then(|a| a.summary.clone())
        .unwrap_or_else(|| config.description.clone());
    super::json_bytes(&Actor {
        context: [CONTEXT, SECURITY],
        id: &urls.actor,
        r#type: ap.map(|a| a.actor_type.as_str()).unwrap_or("Person"),
        preferred_username: ap.map(|a| a.username.as_str()).unwrap_or(""),
        name: ap.and_then(|a| a.name.as_deref()).unwrap_or(&config.title),
        summary: if summary.is_empty() {
            String::new()
        } else {
            format!("<p>{}</p>", crate::escape::escape(&summary))
        },
        url: &urls.home,
        icon,
        inbox: &urls.inbox,
        outbox: &urls.outbox,
        followers: &urls.followers,
        endpoints: Endpoints {
            shared_inbox: &urls.inbox,
        },
        manually_approves_followers: false,
        discoverable: true,
        public_key: key.map(|k| PublicKey {
            id: &urls.key_id,
            owner: &urls.actor,
            public_key_pem: &k.public_key_pem,
        }),
    })
}
