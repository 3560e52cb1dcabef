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
use super::entries::Item;
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
    let (base, hl) = (site.config.base_path(), site.config.highlight);
    // The stamps are of the files this build read: what it keeps.
    let stamps = &engine.entries.stamps;
    let (new_bodies, items) = rayon::join(
        || {
            (all.par_iter())
                .map(|e| (markdown_key(e, base, hl), &e.rendered))
                .filter(|(k, _)| !log.keys.contains(k))
                .collect::<Vec<_>>()
        },
        || {
            (all.par_iter())
                .filter_map(|e| Some((e.source.as_str(), *stamps.get(&e.source)?, *e)))
                .collect::<Vec<Item<'_>>>()
        },
    );
    phase("  delta", t);
    let mut seen = HashSet::new();
    let fresh: Vec<(u64, &RenderedBody)> = new_bodies
        .into_iter()
        .filter(|(k, _)| seen.insert(*k))
        .collect();
    if log.frames + fresh.len() > 2 * all.len() + 64 {
        return Ok(false);
    }
    if !file.save_delta(engine.entries.links_ok, &items)? {
        return Ok(false);
    }
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
