//! What a build killed half way leaves behind: its staging tree beside
//! the output and its markdown log in `.causerie/`, both named after its
//! process id. No later build trusts them (each uses its own id), but at
//! 100 000 posts they are gigabytes, so the next build removes those whose
//! process is gone.

use std::path::Path;

/// Removes the entries of `dir` named `<prefix><pid>` whose process no
/// longer runs (never this process's own).
pub fn remove_dead(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || alive(pid) {
            continue;
        }
        let path = e.path();
        let _ = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
    }
}

/// Whether process `pid` exists (a signal 0 reaches it, or is refused).
fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return true;
    }
    std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_trees_of_dead_processes_go_the_living_stay() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Above the kernel's largest pid (2^22): no such process.
        let dead = d.join(".out.staging-4194305");
        std::fs::create_dir_all(dead.join("posts/a")).unwrap();
        std::fs::write(dead.join("posts/a/index.html"), "half").unwrap();
        std::fs::write(d.join("markdown.spill-4194306"), "frames").unwrap();
        let mine = d.join(format!(".out.staging-{}", std::process::id()));
        std::fs::create_dir(&mine).unwrap();
        let init = d.join(".out.staging-1"); // pid 1 always runs
        std::fs::create_dir(&init).unwrap();
        let other = d.join(".out.staging-notapid");
        std::fs::create_dir(&other).unwrap();
        remove_dead(d, ".out.staging-");
        remove_dead(d, "markdown.spill-");
        assert!(!dead.exists(), "a dead build's stage is removed");
        assert!(!d.join("markdown.spill-4194306").exists());
        assert!(mine.exists() && init.exists() && other.exists());
    }
}
