//! What the driver's errors may say in our messages and logs: their text
//! and causes, never the URL (the driver's messages do not hold it).

use deadpool_postgres::PoolError;

/// An error and its causes ("error connecting to server: Connection
/// refused"); the driver's messages never hold the URL.
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !s.contains(&more) {
            s.push_str(": ");
            s.push_str(&more);
        }
        cause = c.source();
    }
    s
}

/// What a pool error says, without anything of the URL.
pub(crate) fn pool_message(e: &PoolError) -> String {
    match e {
        PoolError::Backend(e) => chain(e),
        PoolError::Timeout(_) => "no connection within the timeout (is the server up?)".into(),
        other => other.to_string(),
    }
}
