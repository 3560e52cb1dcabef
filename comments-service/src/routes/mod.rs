//! HTTP handlers, one module per resource.

pub mod activitypub;
pub mod admin;
pub mod admin_reply;
pub mod admin_view;
pub mod assets;
pub mod auth_email;
pub mod auth_indieauth;
pub mod auth_oidc;
pub mod auth_pages;
pub mod auth_session;
pub mod comments;
pub mod comments_edit;
pub mod export;
pub mod html;
pub mod item_json;
pub mod mail_links;
pub mod own;
pub mod owner;
pub mod read;
pub mod refusal;
pub mod request;
pub mod signed_form;
pub mod signed_post;
pub mod submission;
pub mod thread;
pub mod trust;
