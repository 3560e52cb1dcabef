//! The Webmention and Pingback receivers of the real binary, against source
//! pages served by a local fixture server on 127.0.0.1.
//!
//! Verification is asynchronous, so tests wait (with a generous deadline,
//! never asserting speed) until the durable queue in the SQLite file is empty.

mod fixture;
mod pingback;
mod receive;
mod verify;
