//! Readers who sign in (issue 15), against the real binary and a real SMTP
//! server (`aiosmtpd`, as in `tests/mail`): the e-mail link, sessions,
//! `/api/me`, sign-out, CSRF, login-only blogs, verified comments and
//! editing one's own comment from another device; logs free of secrets.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../support/pg.rs"]
mod pg;
#[allow(dead_code)]
#[path = "../mail/smtp.rs"]
mod smtp;

mod flow;
mod link;
mod nojs;
mod postgres;
mod posting;
mod session;
