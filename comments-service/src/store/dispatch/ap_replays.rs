//! The inbox's replay memory in the store (issue 16): every instance on one
//! database refuses a signed request any of them already took.

use super::{Backend, Store};
use crate::error::Result;
use crate::store::Micros;

impl Store {
    /// Records an accepted signature (`hash` of its key id and bytes) until
    /// `expires_us`; false when it is already recorded and not yet expired:
    /// a replay.
    pub async fn ap_signature_first(
        &self,
        hash: Vec<u8>,
        now_us: Micros,
        expires_us: Micros,
    ) -> Result<bool> {
        on!(self, b => b.ap_signature_first(hash, now_us, expires_us).await)
    }

    /// Forgets signatures expired before `now_us`: how many.
    pub async fn ap_forget_signatures(&self, now_us: Micros) -> Result<u64> {
        on!(self, b => b.ap_forget_signatures(now_us).await)
    }
}
