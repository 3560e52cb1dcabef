//! Mail and webhook notifications (issue 14): what is said ([`letters`], in
//! the site's language, [`i18n`]), the signed links in it ([`links`]), the
//! SMTP transport ([`transport`]), the webhook body ([`webhook`]), and the
//! outbox worker that sends them ([`worker`]).
//!
//! Delivery guarantee: a row is written in the transaction of the change that
//! makes it due, then claimed, sent, and marked. A crash between the server's
//! acceptance and the mark sends the mail again after restart with the same
//! Message-ID, so it is at least once, and exactly once for receivers that
//! drop duplicate Message-IDs; a crash before the send loses nothing.

pub mod i18n;
pub mod letters;
pub mod links;
pub mod transport;
pub mod webhook;
pub mod worker;
