//! The Causerie comment service: readers' comments, Webmentions and pingbacks
//! for a static site, stored durably in SQLite (or PostgreSQL, shared by several
//! instances) and served to the site's pages.
//!
//! Request flow: `app` (route table) → `routes::*` (handlers) → `model`
//! (parsed inputs) → `markdown`/`spam` → `store` (the only place with SQL).

pub mod activitypub;
pub mod activitypub_config;
pub mod app;
pub mod auth;
pub mod background;
pub mod cache;
pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod escape;
pub mod fetch;
pub mod heavy;
pub mod import;
pub mod mail;
pub mod mail_config;
pub mod manifest;
pub mod markdown;
pub mod migrate_db;
pub mod model;
pub mod pingback;
pub mod public_url;
pub mod rebuild;
pub mod routes;
pub mod sign_in_config;
pub mod spam;
pub mod state;
pub mod store;
pub mod tokens;
pub mod webmention;
pub mod words;
