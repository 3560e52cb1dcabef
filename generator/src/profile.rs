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
    // Process CPU so far: on a shared machine, wall time says little.
    let cpu = cpu_seconds();
    match memory() {
        Some((rss, hwm)) => {
            eprintln!("{name:>14}: {ms:7.1} ms  cpu {cpu:6.2} s  rss {rss:5} MB  peak {hwm:5} MB")
        }
        None => eprintln!("{name:>14}: {ms:7.1} ms  cpu {cpu:6.2} s"),
    }
}

/// User plus system CPU seconds of the whole process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: `getrusage` only writes into the zeroed struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(u.ru_utime) + secs(u.ru_stime)
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
