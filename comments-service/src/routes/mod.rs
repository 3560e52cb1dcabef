//! HTTP handlers, one module per resource.

pub mod activitypub;
pub mod admin;
pub mod admin_reply;
pub mod admin_view;
pub mod assets;
pub mod comments;
pub mod export;
pub mod html;
pub mod item_json;
pub mod mail_links;
pub mod own;
pub mod owner;
pub mod read;
pub mod refusal;
pub mod submission;
pub mod thread;
pub mod trust;
