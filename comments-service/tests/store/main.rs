//! One conformance suite for the store: every test body is written once
//! and runs against both backends (`both!`), SQLite and PostgreSQL (a
//! throw-away cluster, `tests/support/pg.rs`). Then what only several
//! instances on one PostgreSQL database can show, migrate-db, and the
//! password that must never show.

#[path = "../support/pg.rs"]
mod pg;

mod fixture;

mod ap_replays;
mod comments;
mod durability;
mod import_cli;
mod instances;
mod mail;
mod mentions;
mod migrate;
mod own;
mod redaction;
mod rows;
mod sign_in;
