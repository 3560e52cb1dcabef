//! The blog as a fediverse actor, the service's half (docs/activitypub.md):
//! the actor's key pair, kept once in the store; the followers collection.
//! Plain JSON with the ActivityStreams context: typed structs, no JSON-LD.

pub mod keys;

pub use keys::ActorKeys;
