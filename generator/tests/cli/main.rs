//! The real `causerie` binary over fixture sites in `tests/fixtures/`:
//! good sites and broken ones, asserting exact `path:line: message` lines and
//! exit statuses. See tests/README.md for how to add a case.

mod build;
mod cache_delta;
mod errors;
mod helpers;
mod killed;
mod links;
