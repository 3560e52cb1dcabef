//! The on-disk cache: round trips, and every damaged file ignored.

use super::super::{FileRec, Record};
use super::*;
use std::collections::HashMap;

fn body(s: &str) -> RenderedBody {
    RenderedBody::new(
        format!("<p>{s}</p>"),
        crate::markdown::Brief {
            summary_html: s.into(),
            has_more: true,
            words: 3,
            links: vec![("/a/".into(), 4)],
        },
    )
}

#[test]
fn round_trip_append_and_corruption() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut e = Engine::new();
    e.records.output = Some(root.join("public"));
    e.records.jobs.insert(
        7_u64,
        Record {
            key: Some(7),
            files: vec![FileRec {
                path: "posts/a/index.html".into(),
                hash: 9,
                page: true,
            }],
        },
    );
    e.markdown.bodies.insert(1, body("one"));
    let mut log = LogState::default();
    save(root, &mut e, &mut log).unwrap();
    let (mut back, mut log) = load(root);
    assert_eq!(back.records.jobs, e.records.jobs);
    assert_eq!(back.records.output, e.records.output);
    assert_eq!(
        back.markdown.bodies[&1].html, "",
        "HTML stays in the log until needed"
    );
    assert_eq!(
        html(&back.markdown.blob, &back.markdown.lazy[&1]).unwrap(),
        "<p>one</p>"
    );
    assert!(
        !back.markdown.bodies[&1].brief_is_loaded(),
        "the brief too stays in the log until read"
    );
    assert_eq!(back.markdown.bodies[&1].brief().summary_html, "one");
    // Append one more body; both are read back.
    back.markdown.bodies.insert(2, body("two"));
    save(root, &mut back, &mut log).unwrap();
    let (mut again, mut log2) = load(root);
    assert_eq!(again.markdown.bodies.len(), 2);
    assert_eq!(
        again.markdown.bodies[&2].brief().links,
        vec![("/a/".to_string(), 4)]
    );
    // A rewrite copies bodies not read whole as they are, HTML or brief.
    let h1 = html(&again.markdown.blob, &again.markdown.lazy[&1]).unwrap();
    again.markdown.bodies.get_mut(&1).unwrap().html = h1;
    log2.frames = 1000;
    save(root, &mut again, &mut log2).unwrap();
    let (third, _) = load(root);
    assert_eq!(third.markdown.bodies[&1].brief().summary_html, "one");
    assert_eq!(third.markdown.bodies[&2].brief().summary_html, "two");
    assert!(!third.markdown.is_damaged());
    assert_eq!(
        html(&third.markdown.blob, &third.markdown.lazy[&2]).unwrap(),
        "<p>two</p>"
    );
    assert_eq!(
        html(&third.markdown.blob, &third.markdown.lazy[&1]).unwrap(),
        "<p>one</p>"
    );
    // Damaged HTML is found when it is read; a cut frame is dropped, the
    // good ones kept; damaged records are ignored.
    let md = dir(root).join(MARKDOWN);
    let mut bytes = std::fs::read(&md).unwrap();
    let n = bytes.len();
    // In the last frame's HTML (its checksum is the last 8 bytes).
    bytes[n - 11] ^= 0x01;
    std::fs::write(&md, &bytes).unwrap();
    let (bad, _) = load(root);
    assert_eq!(bad.markdown.bodies.len(), 2);
    let good = [1, 2]
        .iter()
        .filter(|k| html(&bad.markdown.blob, &bad.markdown.lazy[k]).is_some())
        .count();
    assert_eq!(good, 1, "the frame whose HTML checksum was hit");
    drop(bad);
    std::fs::write(&md, &bytes[..n - 20]).unwrap();
    let rec = dir(root).join(RECORDS);
    let mut rb = std::fs::read(&rec).unwrap();
    let m = rb.len();
    rb[m / 2] ^= 0x55;
    std::fs::write(&rec, &rb).unwrap();
    let (hurt, _) = load(root);
    assert_eq!(hurt.markdown.bodies.len(), 1);
    assert!(hurt.records.jobs.is_empty() && hurt.records.output.is_none());
    // Another version's cache is ignored altogether.
    std::fs::write(&md, b"causerie-cache\nsomething else").unwrap();
    let (other, _) = load(root);
    assert!(other.markdown.bodies.is_empty());
}

#[test]
fn a_damaged_brief_is_found_when_read() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut e = Engine::new();
    e.markdown.bodies.insert(1, body("one"));
    e.markdown.bodies.insert(2, body("two"));
    save(root, &mut e, &mut LogState::default()).unwrap();
    let (back, _) = load(root);
    // The brief starts after the frame's key and the brief's length.
    let at = back.markdown.lazy[&2].frame.0 + 16;
    drop(back);
    let md = dir(root).join(MARKDOWN);
    let mut bytes = std::fs::read(&md).unwrap();
    bytes[at + 9] ^= 0x20;
    std::fs::write(&md, &bytes).unwrap();
    let (bad, _) = load(root);
    assert_eq!(bad.markdown.bodies.len(), 2, "found at use, not at load");
    assert!(!bad.markdown.is_damaged());
    assert_eq!(bad.markdown.bodies[&1].brief().summary_html, "one");
    assert!(!bad.markdown.is_damaged());
    assert_eq!(
        *bad.markdown.bodies[&2].brief(),
        crate::markdown::Brief::default()
    );
    assert!(bad.markdown.is_damaged(), "the build then starts over");
}

#[test]
fn a_spilled_log_reads_back_and_is_saved_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let spill = super::super::spill::Spill::create(root).unwrap();
    let (mut a, mut b) = (body("one"), body("two"));
    spill.put(1, &mut a);
    spill.put(2, &mut b);
    assert!(a.html.is_empty(), "the HTML leaves memory once written");
    let (blob, frames, mut log) = spill.finish().unwrap();
    assert!(
        matches!(blob, Blob::File(_)),
        "read back by pread, not mapped"
    );
    let lazy: crate::hash::FpMap<u64, Lazy> = frames.into_iter().collect();
    assert_eq!(html(&blob, &lazy[&2]).unwrap(), "<p>two</p>");
    assert_eq!(html(&blob, &lazy[&1]).unwrap(), "<p>one</p>");
    // Saving moves the log in place without writing the bodies again.
    let mut e = Engine::new();
    e.markdown.bodies.insert(1, a);
    e.markdown.bodies.insert(2, b);
    e.markdown.blob = std::sync::Arc::new(blob);
    e.markdown.lazy = lazy;
    save(root, &mut e, &mut log).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir(root))
        .unwrap()
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().contains("spill"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (back, _) = load(root);
    assert_eq!(back.markdown.bodies.len(), 2);
    let from_index: Vec<_> = [1, 2].map(|k| back.markdown.lazy[&k].frame).into();
    std::fs::remove_file(dir(root).join("build-markdown.idx")).expect("the spill's index");
    let (walked, _) = load(root);
    let by_walk: Vec<_> = [1, 2].map(|k| walked.markdown.lazy[&k].frame).into();
    assert_eq!(from_index, by_walk, "the spill's index is its log's");
    assert_eq!(
        html(&back.markdown.blob, &back.markdown.lazy[&1]).unwrap(),
        "<p>one</p>"
    );
    assert_eq!(back.markdown.bodies[&2].brief().summary_html, "two");
    // Damage in a spilled body is found when it is read back.
    let mut frames = HashMap::new();
    let spill = super::super::spill::Spill::create(root).unwrap();
    spill.put(3, &mut body("three"));
    let (blob, written, log) = spill.finish().unwrap();
    frames.extend(written);
    let Blob::File(f) = &blob else { unreachable!() };
    std::os::unix::fs::FileExt::write_all_at(f, b"X", frames[&3].html.0 as u64).unwrap();
    assert!(html(&blob, &frames[&3]).is_none());
    log.discard();
}

#[test]
fn entries_that_do_not_decode_are_ignored_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(dir(root)).unwrap();
    // A right header and checksum around bytes that are no entries (what
    // an older codec's file would look like if its header had matched).
    for junk in [
        &b""[..],
        b"\x01",
        b"\x01\x05\xff\xff\xff\xff\xff",
        &[0xAB; 300],
    ] {
        super::super::frames::write_base(&dir(root).join(ENTRIES), &header(), &[junk]).unwrap();
        let (e, _) = load(root);
        assert!(
            e.entries.parsed.is_empty() && e.entries.links_ok.is_none(),
            "{junk:?}"
        );
    }
    // An older format's header: ignored whole.
    let mut old = b"causerie-cache\n".to_vec();
    put_u64(&mut old, 3);
    std::fs::write(dir(root).join(ENTRIES), &old).unwrap();
    assert!(load(root).0.entries.parsed.is_empty());
}

/// A frame's key, HTML range, whole range and HTML checksum.
type Place = (u64, (usize, usize), (usize, usize), u64);

/// The keys and places of every frame the markdown log loads with.
fn places(root: &Path) -> Vec<Place> {
    let (e, _) = load(root);
    let mut v: Vec<_> = (e.markdown.lazy.iter())
        .map(|(k, l)| (*k, l.html, l.frame, l.sum))
        .collect();
    v.sort();
    for (k, ..) in &v {
        assert_eq!(e.markdown.bodies[k].brief().summary_html, format!("b{k}"));
    }
    assert!(!e.markdown.is_damaged());
    v
}

#[test]
fn the_log_index_gives_what_a_walk_gives_and_only_for_its_log() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let mut e = Engine::new();
    for k in 0..100 {
        e.markdown.bodies.insert(k, body(&format!("b{k}")));
    }
    let mut log = LogState::default();
    save(root, &mut e, &mut log).unwrap();
    let idx = dir(root).join("build-markdown.idx");
    assert!(idx.exists(), "a log written whole is indexed");
    let indexed = places(root);
    std::fs::remove_file(&idx).unwrap();
    let walked = places(root);
    assert_eq!(walked.len(), 100);
    assert_eq!(indexed, walked);
    assert!(idx.exists(), "100 frames walked: indexed again");
    assert_eq!(places(root), walked, "read from the index");
    // A frame appended after the index is walked.
    let (mut back, mut log) = load(root);
    back.markdown.bodies.insert(100, body("b100"));
    save(root, &mut back, &mut log).unwrap();
    let more = places(root);
    assert_eq!(more.len(), 101);
    assert_eq!(more[..100], walked[..]);
    // A damaged index is not used.
    let good = std::fs::read(&idx).unwrap();
    let mut bad = good.clone();
    let n = bad.len();
    bad[n / 2] ^= 1;
    std::fs::write(&idx, &bad).unwrap();
    assert_eq!(places(root), more);
    // Nor is the index of another log: one rewritten since has another id.
    std::fs::write(&idx, &good).unwrap();
    let (mut again, mut log) = load(root);
    again.markdown.bodies.remove(&3);
    log.frames = 1000;
    save(root, &mut again, &mut log).unwrap();
    let rewritten = places(root);
    assert_eq!(rewritten.len(), 100);
    assert!(rewritten.iter().all(|p| p.0 != 3));
    assert_ne!(std::fs::read(&idx).unwrap(), good);
}
