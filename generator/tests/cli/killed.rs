//! A cold build killed half way: its stage and markdown log are left
//! behind, named after its process; the next build must not trust them,
//! must remove them, and must write what a clean build writes.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::helpers::{bin, run, snapshot, stderr};

fn site(root: &Path, posts: usize) {
    std::fs::create_dir_all(root.join("content/posts")).unwrap();
    std::fs::write(
        root.join("causerie.toml"),
        "title = \"Killed\"\nbase_url = \"https://k.example/\"\n",
    )
    .unwrap();
    for i in 0..posts {
        let body = format!(
            "Post {i}, with code.\n\n```rust\nfn f{i}(x: u32) -> u32 {{\n    let y = x * {i};\n    y + 1\n}}\n```\n"
        );
        std::fs::write(
            root.join(format!("content/posts/p{i:05}.md")),
            format!(
                "+++\ntitle = \"P{i}\"\ndate = 2024-02-{:02}T10:00:00Z\ntags = [\"t{}\"]\n+++\n{}",
                i % 28 + 1,
                i % 7,
                body.repeat(4)
            ),
        )
        .unwrap();
    }
}

fn names(dir: &Path, part: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(part))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_killed_cold_build_leaves_nothing_the_next_build_keeps_or_trusts() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    site(&root, 1500);
    let mut child = bin()
        .args(["build", "--output", "out"])
        .current_dir(&root)
        .spawn()
        .unwrap();
    // Kill it once the render has started writing into its stage.
    let start = Instant::now();
    loop {
        let stage = names(&root, ".out.staging-");
        if let Some(s) = stage.first()
            && root.join(s).join("posts").is_dir()
        {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no stage appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!root.join("out").exists(), "no output from a killed build");
    let spills = names(&root.join(".causerie"), ".spill-");
    assert_eq!(
        spills.len(),
        1,
        "the killed build's markdown log: {spills:?}"
    );
    assert_eq!(names(&root, ".out.staging-").len(), 1);

    let o = run(&["build", "--output", "out"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        names(&root, ".out.staging-").is_empty(),
        "the dead stage is gone"
    );
    assert!(
        names(&root.join(".causerie"), ".spill-").is_empty(),
        "the dead log is gone"
    );
    let after = snapshot(&root.join("out"));

    // The same site built from nothing.
    let fresh = tmp.path().join("fresh");
    site(&fresh, 1500);
    let o = run(&["build", "--output", "out"], &fresh);
    assert!(o.status.success(), "{}", stderr(&o));
    let clean = snapshot(&fresh.join("out"));
    assert_eq!(after.len(), clean.len());
    for (path, bytes) in &clean {
        assert!(
            after.get(path) == Some(bytes),
            "{path} differs from a clean build"
        );
    }
}
