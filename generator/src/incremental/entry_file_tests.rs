//! The entries file as base and deltas: round trips, removals, every cut
//! and flipped byte, compaction.

use super::*;
use crate::content::{Entry, Kind};

fn entry(i: usize, title: &str) -> Entry {
    let text = format!("+++\ntitle = \"{title}\"\ndate = 2024-05-06T07:08:09Z\n+++\nBody\n");
    let mut e = crate::content::parse_entry(
        format!("content/posts/p{i}.md"),
        Kind::Post,
        &format!("posts/p{i}"),
        false,
        &text,
        crate::config::Slugify::On,
    )
    .unwrap();
    e.body = String::new();
    e
}

fn items(es: &[(u64, Entry)]) -> Vec<Item<'_>> {
    es.iter().map(|(s, e)| (e.source.as_str(), *s, e)).collect()
}

fn same(got: &Entries, want: &[(u64, Entry)]) -> bool {
    got.len() == want.len()
        && want.iter().all(|(s, e)| {
            got.get(&e.source)
                .is_some_and(|(gs, ge)| gs == s && format!("{ge:?}") == format!("{e:?}"))
        })
}

#[test]
fn deltas_upsert_and_remove_and_damage_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("entries.bin");
    let head = b"head\n";
    let mut es: Vec<(u64, Entry)> = (0..5).map(|i| (i as u64, entry(i, "T"))).collect();
    let mut saved = save_whole(&path, head, Some(1), items(&es).into_iter()).unwrap();
    let first = es.clone();
    // One edited (new stamp), one gone, one new.
    es[2] = (99, entry(2, "Edited"));
    es.remove(4);
    es.push((7, entry(9, "New")));
    assert!(saved.save_delta(Some(2), &items(&es)).unwrap());
    let (links_ok, got, _) = load(&path, head).unwrap();
    assert_eq!(links_ok, Some(2));
    assert!(
        same(&got, &es),
        "{:?}",
        got.iter().map(|(k, _)| k).collect::<Vec<_>>()
    );
    // Nothing changed: nothing appended.
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(saved.save_delta(Some(2), &items(&es)).unwrap());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
    let bytes = std::fs::read(&path).unwrap();
    for n in 0..bytes.len() {
        std::fs::write(&path, &bytes[..n]).unwrap();
        if let Some((_, got, _)) = load(&path, head) {
            assert!(same(&got, &first) || same(&got, &es), "cut at {n}");
        }
        let mut bad = bytes.clone();
        bad[n] ^= 0x08;
        std::fs::write(&path, &bad).unwrap();
        assert!(load(&path, head).is_none(), "flip at {n}");
    }
}

#[test]
fn deltas_past_a_share_of_the_base_ask_for_a_rewrite() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("entries.bin");
    let head = b"head\n";
    let mut es: Vec<(u64, Entry)> = (0..20).map(|i| (i as u64, entry(i, "T"))).collect();
    let mut saved = save_whole(&path, head, None, items(&es).into_iter()).unwrap();
    let mut round = 0;
    loop {
        round += 1;
        es[round % 20].0 += 1000;
        if !saved.save_delta(None, &items(&es)).unwrap() {
            break;
        }
        assert!(same(&load(&path, head).unwrap().1, &es), "round {round}");
    }
    assert!(round > 5, "{round}");
    let mut saved = save_whole(&path, head, None, items(&es).into_iter()).unwrap();
    assert!(same(&load(&path, head).unwrap().1, &es));
    es[0].0 += 1;
    assert!(saved.save_delta(None, &items(&es)).unwrap());
    assert!(same(&load(&path, head).unwrap().1, &es));
}
