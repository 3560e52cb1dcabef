//! `causerie build` saving its cache as deltas: an edit and its undoing
//! give a clean build's bytes, even when the build in between died after
//! writing its outputs and before finishing its records.

use std::path::Path;

use crate::helpers::{run, snapshot, stderr, stdout};

fn post(i: usize, extra: &str) -> String {
    format!(
        "+++\ntitle = \"P{i}\"\ndate = 2024-03-{:02}T10:00:00Z\ntags = [\"t{}\"]\n+++\nPost {i}.{extra}\n",
        i % 28 + 1,
        i % 3
    )
}

fn site(root: &Path) {
    std::fs::create_dir_all(root.join("content/posts")).unwrap();
    std::fs::write(
        root.join("causerie.toml"),
        "title = \"Delta\"\nbase_url = \"https://d.example/\"\n",
    )
    .unwrap();
    for i in 0..60 {
        let p = root.join(format!("content/posts/p{i:03}.md"));
        std::fs::write(p, post(i, "")).unwrap();
    }
}

fn build(root: &Path, out: &str) -> String {
    let o = run(&["build", "--output", out], root);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// Edits post 7, builds, and (`torn`) cuts the records file's last frame
/// as a build dying before it finished writing it would; then undoes the
/// edit and builds: the output must be a clean build's.
fn edit_and_back(torn: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    site(&root);
    build(&root, "out");
    let p = root.join("content/posts/p007.md");
    std::fs::write(&p, post(7, " Edited, and longer.")).unwrap();
    let said = build(&root, "out");
    let (rendered, jobs) = said
        .split(" outputs rendered")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|s| s.split_once(" of "))
        .map(|(a, b)| (a.parse::<usize>().unwrap(), b.parse::<usize>().unwrap()))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(rendered < jobs / 2, "a partial build: {said}");
    let records = root.join(".causerie/build-records.bin");
    if torn {
        let b = std::fs::read(&records).unwrap();
        std::fs::write(&records, &b[..b.len() - 5]).unwrap();
    }
    std::fs::write(&p, post(7, "")).unwrap();
    build(&root, "out");
    build(&root, "clean");
    let (got, want) = (snapshot(&root.join("out")), snapshot(&root.join("clean")));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (k, v) in &want {
        assert!(
            got[k] == *v,
            "{k} differs from a clean build (torn: {torn})"
        );
    }
}

#[test]
fn an_edit_undone_gives_a_clean_builds_bytes() {
    edit_and_back(false);
}

#[test]
fn an_edit_undone_after_a_torn_records_delta_gives_a_clean_builds_bytes() {
    edit_and_back(true);
}

/// A summary damaged in the cache's markdown log is found when a list page
/// first reads it: the build starts over without the log, and its output
/// is a clean build's (never a page with the summary missing).
#[test]
fn a_damaged_summary_in_the_cache_is_found_and_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    site(&root);
    build(&root, "out");
    let log = root.join(".causerie/build-markdown.bin");
    let mut b = std::fs::read(&log).unwrap();
    // A frame's brief (with the summary) comes before its HTML.
    let needle = b"<p>Post 3.</p>";
    let at = (b.windows(needle.len()))
        .position(|w| w == needle)
        .expect("post 3's summary in the log");
    b[at + 3] = b'Q';
    std::fs::write(&log, b).unwrap();
    // Another page size: every list page is made again from the summaries.
    let config = root.join("causerie.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("per_page = 7\n");
    std::fs::write(&config, text).unwrap();
    let o = run(&["build", "--output", "out"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("damaged; rebuilding without it"),
        "{}",
        stderr(&o)
    );
    build(&root, "clean");
    let (got, want) = (snapshot(&root.join("out")), snapshot(&root.join("clean")));
    assert_eq!(got, want, "the output is a clean build's");
    let index = String::from_utf8(got["index.html"].clone()).unwrap();
    assert!(!index.contains("Qost"), "nothing damaged is shown");
}
