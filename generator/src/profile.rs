//! `CAUSERIE_PROFILE=1`: how long each stage of a build took and how much
//! memory the process held after it, on stderr. The growth work (100 000
//! posts) is steered by these lines, so they stay in release builds.

use std::time::Instant;

/// Whether stage timings are asked for.
pub fn enabled() -> bool {
    std::env::var_os("CAUSERIE_PROFILE").is_some()
}

/// Prints `name`, the time since `since`, and the resident and peak
/// resident memory (Linux; left out where `/proc` is missing).
pub fn phase(name: &str, since: Instant) {
    if !enabled() {
        return;
    }
    let ms = since.elapsed().as_secs_f64() * 1000.0;
    match memory() {
        Some((rss, hwm)) => eprintln!("{name:>14}: {ms:7.1} ms  rss {rss:5} MB  peak {hwm:5} MB"),
        None => eprintln!("{name:>14}: {ms:7.1} ms"),
    }
}

/// Resident and peak resident memory in MB, from `/proc/self/status`.
fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kb: u64 = line[key.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
