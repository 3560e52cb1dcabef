//! The rate limit of the sign-in endpoints (each sends a mail or starts a
//! flow): a few per client address per minute, counted in the shared store
//! on PostgreSQL (every instance) and in memory on SQLite (one process), as
//! the new-comment limit is (`AppState::check_rate`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::now_us;

/// Sign-in attempts allowed per client address per minute.
pub const PER_MINUTE: u32 = 5;
const WINDOW_US: i64 = 60 * 1_000_000;

fn limiter() -> &'static Arc<DefaultKeyedRateLimiter<IpAddr>> {
    static L: OnceLock<Arc<DefaultKeyedRateLimiter<IpAddr>>> = OnceLock::new();
    L.get_or_init(|| {
        let n = NonZeroU32::new(PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Arc::new(RateLimiter::keyed(Quota::per_minute(n)))
    })
}

/// Counts one sign-in attempt from `ip`; over the limit gives 429 with the wait.
pub async fn check(st: &AppState, ip: IpAddr) -> Result<()> {
    let now = now_us();
    let window = now - now.rem_euclid(WINDOW_US);
    let key = format!("sign-in:{}", st.keys.address_key(&ip.to_string()));
    match st.store.count_hit(&key, window).await? {
        Some(hits) if hits <= PER_MINUTE => Ok(()),
        Some(_) => Err(Error::RateLimited {
            retry_after: ((window + WINDOW_US - now) / 1_000_000 + 1) as u64,
        }),
        None => {
            let l = limiter();
            l.check_key(&ip).map_err(|not_until| {
                use governor::clock::Clock;
                Error::RateLimited {
                    retry_after: not_until.wait_time_from(l.clock().now()).as_secs() + 1,
                }
            })
        }
    }
}
