//! Mail notifications against a real SMTP server (Python's `aiosmtpd` from
//! tests/.venv) and the real binary: the owner's mail and its links, the
//! outbox across an SMTP outage and `kill -9`, readers' double opt-in and
//! one-click unsubscribe, the webhook, and logs free of addresses and tokens.

#[allow(dead_code)]
#[path = "../webmention/fixture.rs"]
mod fixture;
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../support/pg.rs"]
mod pg;
mod smtp;

mod delivery;
mod fixes;
mod links;
mod mentions;
mod postgres;
mod readers;
mod tls;
mod webhook;
