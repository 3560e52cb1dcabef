//! Waiting for a busy comment service.
//!
//! The service gates its heavy answers (`/api/export` among them): when two
//! already run, a third waits a few seconds and then gets `503` with
//! `Retry-After` (comments-service/src/heavy.rs); a proxy in front of it may
//! answer `429` the same way. A busy service is not a down service, so the
//! build waits as asked and tries again, a bounded number of times, before
//! it falls back to the cached conversation like for an unreachable one.
//! The bounds keep a service that is busy forever, or one that asks for an
//! hour, from holding the build: at most [`MAX_TRIES`] requests and
//! [`MAX_WAIT`] per wait.

use std::time::Duration;

/// Requests of the export before the build gives up and bakes the cache.
pub const MAX_TRIES: u32 = 3;
/// The longest one wait lasts, whatever `Retry-After` asks.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// The wait when a busy answer names none: the service's own `Retry-After`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// Whether `status` says "busy, come back later" rather than "failed".
pub fn is_busy(status: u16) -> bool {
    matches!(status, 429 | 503)
}

/// How long to wait before the next try, from a `Retry-After` value
/// (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) read at `now`.
/// Missing or unreadable values wait [`DEFAULT_WAIT`]; a date in the past
/// waits nothing; everything is capped at [`MAX_WAIT`] and rounded up to
/// whole seconds, which is what the note printed while waiting shows.
pub fn wait_for(retry_after: Option<&str>, now: jiff::Timestamp) -> Duration {
    let Some(value) = retry_after.map(str::trim).filter(|v| !v.is_empty()) else {
        return DEFAULT_WAIT;
    };
    let wait = if value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits but too long for u64: far beyond the cap anyway.
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        match http_date(value) {
            Some(at) => {
                let ms = at.as_millisecond().saturating_sub(now.as_millisecond());
                Duration::from_millis(u64::try_from(ms).unwrap_or(0))
            }
            None => DEFAULT_WAIT,
        }
    };
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Duration::from_secs(secs).min(MAX_WAIT)
}

/// An HTTP-date in its preferred form (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// which is an RFC 2822 date. The two obsolete forms RFC 9110 still asks
/// recipients to read are not worth a parser here: they fall back to
/// [`DEFAULT_WAIT`].
fn http_date(value: &str) -> Option<jiff::Timestamp> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    PARSER.parse_timestamp(value).ok()
}

/// The error message of a busy answer's body (`{"error":{"message":…}}`,
/// the service's error shape), so the final warning says why.
pub fn message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v.get("error")?.get("message")?.as_str()?.trim();
    (!m.is_empty()).then(|| m.chars().filter(|c| !c.is_control()).take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> jiff::Timestamp {
        "2026-12-03T07:00:00Z".parse().unwrap()
    }

    #[test]
    fn seconds_are_honoured_and_capped() {
        assert_eq!(wait_for(Some("5"), now()), Duration::from_secs(5));
        assert_eq!(wait_for(Some(" 0 "), now()), Duration::ZERO);
        assert_eq!(wait_for(Some("3600"), now()), MAX_WAIT);
        assert_eq!(wait_for(Some("99999999999999999999999"), now()), MAX_WAIT);
    }

    #[test]
    fn http_dates_count_from_now() {
        assert_eq!(
            wait_for(Some("Thu, 03 Dec 2026 07:00:07 GMT"), now()),
            Duration::from_secs(7)
        );
        assert_eq!(
            wait_for(Some("Thu, 03 Dec 2026 06:59:00 GMT"), now()),
            Duration::ZERO,
            "a date in the past means now"
        );
        assert_eq!(
            wait_for(Some("Fri, 04 Dec 2026 07:00:00 GMT"), now()),
            MAX_WAIT
        );
    }

    #[test]
    fn missing_or_unreadable_values_wait_the_default() {
        assert_eq!(wait_for(None, now()), DEFAULT_WAIT);
        assert_eq!(wait_for(Some(""), now()), DEFAULT_WAIT);
        assert_eq!(wait_for(Some("-5"), now()), DEFAULT_WAIT);
        assert_eq!(wait_for(Some("soon"), now()), DEFAULT_WAIT);
    }

    #[test]
    fn busy_statuses_and_their_message() {
        assert!(is_busy(503) && is_busy(429));
        assert!(!is_busy(500) && !is_busy(200) && !is_busy(404));
        let body = br#"{"error":{"field":null,"message":"the service is busy, try again"}}"#;
        assert_eq!(
            message(body).as_deref(),
            Some("the service is busy, try again")
        );
        assert_eq!(message(b"<html>busy</html>"), None);
    }
}
