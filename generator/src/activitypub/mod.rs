//! The blog as an ActivityPub actor (docs/activitypub.md): with
//! `[activitypub] username` and a comment service, the build publishes the
//! WebFinger answer, the actor document, an outbox of the posts and one
//! ActivityStreams object per post. All of it is static JSON; the inbox,
//! the followers and the delivery live in the comment service, whose URLs
//! the actor names.
//!
//! Plain JSON with the ActivityStreams context, as Mastodon sends and
//! expects: typed structs, no JSON-LD processing.

pub mod actor;
pub mod objects;

pub use crate::config::activitypub::ActivityPub;
pub use crate::conversation::actor_key::ActorKey;

use crate::config::Config;

/// The ActivityStreams context every document carries.
pub const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
/// The security context (for `publicKey`).
pub const SECURITY: &str = "https://w3id.org/security/v1";
/// The audience of public posts.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Output path of the WebFinger answer (at the host root: see the docs for
/// a `base_url` with a path).
pub const WEBFINGER: &str = ".well-known/webfinger";
/// Site path of the actor document.
pub const ACTOR: &str = "/activitypub/actor";
/// Site path of the outbox collection.
pub const OUTBOX: &str = "/activitypub/outbox";
/// File name of a post's object, beside its `index.html`.
pub const OBJECT_FILE: &str = "activity.json";
/// Create activities per outbox page.
pub const OUTBOX_PAGE: usize = 20;

/// Every address the documents name, from the site and service URLs.
pub struct Urls {
    pub actor: String,
    pub key_id: String,
    pub outbox: String,
    pub inbox: String,
    pub followers: String,
    pub home: String,
}

impl Urls {
    /// `None` without `[activitypub]` or without a comment service.
    pub fn of(config: &Config) -> Option<Urls> {
        config.activitypub.as_ref()?;
        let service = &config.comments.as_ref()?.url;
        let actor = config.abs_url(ACTOR);
        Some(Urls {
            key_id: format!("{actor}#main-key"),
            actor,
            outbox: config.abs_url(OUTBOX),
            inbox: format!("{service}/activitypub/inbox"),
            followers: format!("{service}/activitypub/followers"),
            home: config.abs_url("/"),
        })
    }
}

/// Site path of a post's object (`/posts/x/` → `/posts/x/activity.json`).
pub fn object_path(post_path: &str) -> String {
    format!("{post_path}{OBJECT_FILE}")
}

/// `bytes` as pretty JSON with a final newline: stable for equal input
/// (struct fields in declaration order), readable when someone looks.
pub fn json_bytes<T: serde::Serialize>(v: &T) -> Vec<u8> {
    // Serialising plain structs of strings cannot fail.
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}
