//! Saving after a partial `causerie build` without taking the site apart:
//! only the entries read again, the records of the jobs rendered (already
//! appended as they were written, see [`super::journal`]) and the markdown
//! rendered this build go to disk. Moving 100 000 entries and bodies back
//! into the caches, then encoding and writing them whole, was a quarter
//! of a one-post edit's build.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use super::disk::{self, LogState};
use super::entries::{Item, source_id};
use super::{Engine, journal, markdown_key};
use crate::content::Entry;
use crate::markdown::RenderedBody;
use crate::profile::phase;
use crate::site::Site;

/// Saves what this build changed; false (having written nothing) when the
/// cache must be saved whole: no base to add to, or deltas and dead frames
/// grown past their share.
pub fn save_delta(
    root: &Path,
    engine: &mut Engine,
    site: &Site,
    log: &mut LogState,
) -> std::io::Result<bool> {
    let t = std::time::Instant::now();
    if log.pending.is_some() || log.valid_len == 0 {
        return Ok(false);
    }
    let Some(file) = engine.entries.file.as_mut() else {
        return Ok(false);
    };
    let all: Vec<&Entry> = (site.content.posts.iter())
        .chain(site.content.pages.iter())
        .collect();
    // The stamps are of the files this build read: what it keeps. None
    // means it read them all again (its markdown cache fell short).
    let stamps = &engine.entries.stamps;
    if stamps.is_empty() {
        return Ok(false);
    }
    let items: Vec<Item<'_>> = (all.par_iter())
        .filter_map(|e| Some((e.source.as_str(), *stamps.get(&source_id(&e.source))?, *e)))
        .collect();
    let Some(delta) = file.delta(&items) else {
        return Ok(false);
    };
    phase("  delta", t);
    // An entry taken unchanged from the last build had its markdown in the
    // log (else the load reads every file again, and `stamps` is empty):
    // only the entries read again can have new bodies.
    let (base, hl) = (site.config.base_path(), site.config.highlight);
    let mut seen = HashSet::new();
    let fresh: Vec<(u64, &RenderedBody)> = (delta.changed.iter())
        .map(|(_, _, e)| (markdown_key(e, base, hl), &e.rendered))
        .filter(|(k, _)| !log.keys.contains(k) && seen.insert(*k))
        .collect();
    if log.frames + fresh.len() > 2 * all.len() + 64 {
        return Ok(false);
    }
    file.write(engine.entries.links_ok, delta)?;
    phase("  entries", t);
    let dir = disk::dir(root);
    let records = &mut engine.records;
    let j = (records.journal).get_or_insert_with(|| journal::Journal::new(dir.join(disk::RECORDS)));
    let head = disk::header();
    journal::save(j, &head, records.output.as_deref(), &records.jobs)?;
    if !fresh.is_empty() {
        disk::append_bodies(&disk::markdown_path(&dir), log, &fresh)?;
    }
    Ok(true)
}
