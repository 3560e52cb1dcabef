//! The store's sign-in types: a session as kept (its id only as a hash).
//! Single-use flow records (e-mail link tokens, OpenID Connect and IndieAuth
//! states) are plain JSON strings and need no type here.

use super::Micros;

/// A signed-in reader's session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// A hash of the cookie's random id (never the id itself).
    pub id_hash: String,
    /// The identity as JSON (`auth::Identity`).
    pub identity: String,
    /// The anti-forgery token the session's writes must carry.
    pub csrf: String,
    pub created_us: Micros,
    pub expires_us: Micros,
}
