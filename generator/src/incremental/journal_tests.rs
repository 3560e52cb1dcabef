//! The records file as base and deltas: every cut and flipped byte gives
//! records no staler than the output, compaction, and a delta after a crash.

use super::*;

fn rec(key: u64, path: &str) -> Record {
    Record {
        key: Some(key),
        files: vec![FileRec {
            path: path.into(),
            hash: key * 3,
            page: true,
        }],
    }
}

fn out(path: &str) -> crate::render::Output {
    crate::render::Output {
        path: path.into(),
        body: crate::render::Body::Bytes(b"x".to_vec()),
    }
}

/// A base of jobs 1..=3, then a partial build that rewrote job 1, dropped
/// job 3 and made job 4 (writing job 3's path).
fn written(path: &Path, head: &[u8]) -> (Jobs, Jobs) {
    let mut jobs: Jobs = (1..=3).map(|n| (n, rec(n, &format!("p{n}")))).collect();
    let mut j = Journal::new(path.to_path_buf());
    save(&mut j, head, Some(Path::new("/out")), &jobs).unwrap();
    let before = jobs.clone();
    let old = vec![(1, jobs.remove(&1).unwrap()), (3, jobs.remove(&3).unwrap())];
    let outs = vec![vec![out("p1")], vec![out("p3")]];
    j.before_partial(&old, 1, &outs).unwrap();
    let fresh = vec![(1, rec(10, "p1")), (4, rec(4, "p3"))];
    j.after_partial(&[3], &fresh);
    jobs.extend(fresh);
    assert!(j.in_step());
    save(&mut j, head, Some(Path::new("/out")), &jobs).unwrap();
    (before, jobs)
}

#[test]
fn deltas_read_back_and_a_cut_never_leaves_a_stale_record() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("records.bin");
    let head = b"head\n";
    let (before, after) = written(&path, head);
    let (got, j) = load(&path, head);
    assert_eq!(got, Some((PathBuf::from("/out"), after.clone())));
    assert!(j.in_step());
    let bytes = std::fs::read(&path).unwrap();
    // Died while forgetting: nothing was written yet, the old records hold.
    // Died after: jobs 1 and 4 (which writes job 3's path) are not known.
    let mut forgot = before.clone();
    forgot.remove(&1);
    forgot.remove(&3);
    for n in 0..bytes.len() {
        std::fs::write(&path, &bytes[..n]).unwrap();
        if let (Some((_, jobs)), _) = load(&path, head) {
            assert!(
                jobs == before || jobs == forgot,
                "cut at {n}: {:?}",
                jobs.keys()
            );
        }
    }
    for n in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[n] ^= 0x10;
        std::fs::write(&path, &bad).unwrap();
        assert!(load(&path, head).0.is_none(), "flip at {n}");
    }
}

#[test]
fn a_build_after_a_crash_appends_after_the_good_frames() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("records.bin");
    let head = b"head\n";
    let (_, mut jobs) = written(&path, head);
    // The last frame torn: its jobs are forgotten, and the next build's
    // delta follows the good frames.
    let b = std::fs::read(&path).unwrap();
    std::fs::write(&path, &b[..b.len() - 3]).unwrap();
    let (got, mut j) = load(&path, head);
    let (_, mut back) = got.unwrap();
    assert!(!back.contains_key(&1) && !back.contains_key(&4));
    let old = vec![(2, back.remove(&2).unwrap())];
    j.before_partial(&old, 1, &[vec![out("p2")]]).unwrap();
    j.after_partial(&[], &[(2, rec(20, "p2"))]);
    back.insert(2, rec(20, "p2"));
    let (again, _) = load(&path, head);
    assert_eq!(again.unwrap().1, back);
    // A full build removes the file before its tree goes in.
    j.forget_all().unwrap();
    assert!(!path.exists());
    jobs.clear();
}

#[test]
fn deltas_past_a_share_of_the_base_are_compacted() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("records.bin");
    let head = b"head\n";
    let mut jobs: Jobs = (1..=50).map(|n| (n, rec(n, &format!("p{n}")))).collect();
    let mut j = Journal::new(path.clone());
    save(&mut j, head, Some(Path::new("/out")), &jobs).unwrap();
    let base = std::fs::metadata(&path).unwrap().len();
    let mut round = 0;
    loop {
        round += 1;
        let n = round % 50 + 1;
        let old = vec![(n, jobs.remove(&n).unwrap())];
        j.before_partial(&old, 1, &[vec![out("x")]]).unwrap();
        let fresh = vec![(n, rec(round * 100, &format!("p{n}")))];
        j.after_partial(&[], &fresh);
        jobs.extend(fresh);
        assert_eq!(load(&path, head).0.unwrap().1, jobs, "round {round}");
        if !j.in_step() {
            break;
        }
        save(&mut j, head, Some(Path::new("/out")), &jobs).unwrap();
    }
    save(&mut j, head, Some(Path::new("/out")), &jobs).unwrap();
    assert!(j.in_step() && round > 10);
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len <= base + 64, "rewritten whole: {len} vs {base}");
    assert_eq!(load(&path, head).0.unwrap().1, jobs);
}
