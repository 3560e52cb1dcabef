//! Why a delivery was not taken: the inbox, the conversation and the target
//! check all answer with it, and the route turns it into a status.

use super::signature::Refused;
use crate::error::Error;

/// Why a delivery was not taken, as the route answers it.
#[derive(Debug)]
pub enum Rejected {
    /// 401: the signature, its key or its actor.
    Unsigned(String),
    /// 429 with `Retry-After`.
    Limited(u64),
    /// 400: the activity itself.
    Bad(String),
    /// 400 naming the activity's field (a target that is no page of ours).
    Field(&'static str, String),
    /// 403: an item of another actor.
    Forbidden(String),
    Internal(Error),
}

impl From<Refused> for Rejected {
    fn from(r: Refused) -> Rejected {
        Rejected::Unsigned(r.0)
    }
}

impl From<Error> for Rejected {
    fn from(e: Error) -> Rejected {
        Rejected::Internal(e)
    }
}
