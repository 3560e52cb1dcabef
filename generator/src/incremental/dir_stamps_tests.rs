use super::*;
use std::time::{Duration, SystemTime};

/// Sets the mtime of directory `p` an hour back (as if written long ago).
pub(crate) fn age(p: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(p).unwrap().set_modified(old).unwrap();
}

fn out_with(files: &[&str]) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    for f in files {
        let p = t.path().join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    }
    t
}

#[test]
fn a_settled_directory_holds_until_an_entry_in_it_changes() {
    let t = out_with(&[
        "index.html",
        "a/index.html",
        "a/comments.xml",
        "b/index.html",
    ]);
    let out = OutputDir::open(t.path());
    let mut s = DirStamps::default();
    // Changed this instant (a time ahead of the clock, so that a slow
    // test machine cannot let it settle): not stamped.
    for d in ["", "a", "b"] {
        let soon = SystemTime::now() + Duration::from_secs(60);
        std::fs::File::open(t.path().join(d))
            .unwrap()
            .set_modified(soon)
            .unwrap();
    }
    s.stamp(&out, ["", "a", "b"].into_iter());
    assert!(!s.holds(&out, "a"), "a fresh mtime is never trusted");
    for d in ["", "a", "b"] {
        age(&t.path().join(d));
    }
    s.stamp(&out, ["", "a", "b"].into_iter());
    assert!(s.changed);
    assert!(s.holds(&out, "") && s.holds(&out, "a") && s.holds(&out, "b"));
    std::fs::remove_file(t.path().join("a/comments.xml")).unwrap();
    assert!(!s.holds(&out, "a"), "a deletion changes the directory");
    assert!(s.holds(&out, "b"), "the others still hold");
    std::fs::write(t.path().join("b/new.html"), "x").unwrap();
    assert!(!s.holds(&out, "b"), "so does a new file");
    std::fs::remove_dir_all(t.path().join("b")).unwrap();
    assert!(!s.holds(&out, "b"), "a directory gone holds nothing");
    assert!(!s.holds(&out, "c"), "nor does one never stamped");
}

#[test]
fn whole_second_mtimes_wait_longer_than_fine_ones() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let at = |ago: Duration| {
        let t = Duration::from_secs(1_000_000) - ago;
        Stamp {
            ino: 1,
            mtime_s: t.as_secs() as i64,
            mtime_ns: t.subsec_nanos(),
        }
    };
    let fine = |ms: u64| at(Duration::from_millis(ms) + Duration::from_nanos(7));
    assert!(!fine(50).settled(now), "within the fine wait");
    assert!(fine(500).settled(now), "past the fine wait");
    assert!(
        !at(Duration::from_secs(1)).settled(now),
        "a whole second may be a coarse tick"
    );
    assert!(!at(Duration::from_secs(2)).settled(now));
    assert!(
        at(Duration::from_secs(4)).settled(now),
        "past the coarse wait"
    );
    let ahead = Stamp {
        mtime_s: 1_000_001,
        ..at(Duration::ZERO)
    };
    assert!(
        !ahead.settled(now),
        "a mtime ahead of the clock never settles"
    );
}

#[test]
fn a_directory_made_again_in_place_is_not_the_one_stamped() {
    let t = out_with(&["a/index.html"]);
    age(&t.path().join("a"));
    let out = OutputDir::open(t.path());
    let mut s = DirStamps::default();
    s.stamp(&out, ["a"].into_iter());
    let before = out.dir_stamp("a").unwrap();
    // Moved away and another directory put in its place, mtime set alike.
    std::fs::rename(t.path().join("a"), t.path().join("old")).unwrap();
    std::fs::create_dir(t.path().join("a")).unwrap();
    let secs = Duration::new(before.mtime_s as u64, before.mtime_ns);
    std::fs::File::open(t.path().join("a"))
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + secs)
        .unwrap();
    assert!(!s.holds(&out, "a"), "another inode");
}

#[test]
fn stamps_read_back_and_damage_reads_as_none() {
    let t = out_with(&["a/index.html", "b/c/index.html"]);
    for d in ["a", "b/c"] {
        age(&t.path().join(d));
    }
    let out = OutputDir::open(t.path());
    let mut s = DirStamps::default();
    s.stamp(&out, ["a", "b/c"].into_iter());
    let cache = tempfile::tempdir().unwrap();
    let head = b"head\n".to_vec();
    s.save(cache.path(), &head).unwrap();
    assert!(!s.changed, "saved");
    let back = DirStamps::load(cache.path(), &head);
    assert!(back.holds(&out, "a") && back.holds(&out, "b/c"));
    assert!(
        DirStamps::load(cache.path(), b"other\n").map.is_empty(),
        "another build's"
    );
    let bytes = std::fs::read(cache.path().join(FILE)).unwrap();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        assert!(decode(&b, &head).is_none(), "flip at {i}");
    }
    for n in 0..bytes.len() {
        assert!(decode(&bytes[..n], &head).is_none(), "cut at {n}");
    }
}
