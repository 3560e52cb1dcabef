//! Tests through the real `causerie-comments` binary on 127.0.0.1:0 with a
//! real SQLite file in a temp dir. One test binary; one module per area.
//! `helpers.rs` starts the service and has one helper per route.

mod helpers;
#[path = "../support/pg.rs"]
mod pg;

mod activitypub;
mod admin;
mod admin_filters;
mod admin_language;
mod comments;
mod config;
mod durability;
mod export;
mod forms;
mod idempotency;
mod instances_pg;
mod landing;
mod language;
mod memory;
mod memory_pg;
mod owner;
mod rebuild;
mod spam;
