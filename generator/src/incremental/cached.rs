//! `causerie build`'s engine: loaded from `.causerie/` before the build,
//! saved after it, and left for the exit to free.

use super::*;

/// `causerie build`: an incremental build with the engine saved under
/// `.causerie/` of the site (loaded before, saved after). For a process
/// that ends after it: the site and engine are left for the exit to free.
pub fn build_with_cache(root: &Path, output: &Path, opts: &BuildOptions) -> Result<Outcome> {
    // Only a site gets a cache: a mistyped `--root` must create nothing.
    let config_path = root.join(crate::config::FILE);
    if let Err(e) = std::fs::read(&config_path) {
        return Err(Error::Content(vec![crate::config::unreadable(
            root,
            &config_path,
            &e,
        )]));
    }
    let t = Instant::now();
    // The walk of the content needs nothing from the cache: both at once.
    let ((mut engine, mut log), walked) =
        rayon::join(|| disk::load(root), || crate::content::walk(root));
    let (cache_dir, head) = (disk::dir(root), disk::header());
    engine.records.dirs = dir_stamps::DirStamps::load(&cache_dir, &head);
    engine.one_shot = true;
    engine.walked = Some(walked);
    phase("cache load+walk", t);
    let mut r = engine.build(root, output, opts);
    if engine.markdown.is_damaged() {
        // Found only when a page needed the HTML: build again without the log.
        eprintln!("warning: the build cache in .causerie/ is damaged; rebuilding without it");
        if let Some(l) = engine.markdown.spilled.take() {
            l.discard();
        }
        let journal = engine.records.journal.take();
        engine = Engine::new();
        engine.records.journal = journal;
        engine.one_shot = true;
        engine.markdown.no_spill = true;
        log = disk::LogState::default();
        r = engine.build(root, output, opts);
    }
    // The output directories this build saw whole, for the next one to
    // trust without looking into them.
    if let Ok(o) = &r {
        engine.records.stamp_dirs(o.full);
    }
    if let Err(e) = engine.records.dirs.save(&cache_dir, &head) {
        eprintln!("warning: cannot save the build cache in .causerie/: {e}");
    }
    let t = Instant::now();
    let site = engine.kept.site.take();
    // After a partial build, only what changed is written.
    let partial = r.as_ref().is_ok_and(|o| !o.full) && engine.markdown.spilled.is_none();
    if let Some(kept) = site.as_ref().filter(|_| partial) {
        match save_delta::save_delta(root, &mut engine, kept, &mut log) {
            Ok(true) => {
                phase("cache save", t);
                // Freed by the exit, as below.
                std::mem::forget((engine, site, log));
                return r;
            }
            Ok(false) => {}
            Err(e) => eprintln!("warning: cannot save the build cache in .causerie/: {e}"),
        }
    }
    if let Some(site) = site {
        engine.dissolve(site);
    }
    phase("dissolve", t);
    let t = Instant::now();
    if let Some(written) = engine.markdown.spilled.take() {
        log = written;
    }
    // Even a failed build leaves a valid cache (its markdown is reusable).
    if let Err(e) = disk::save(root, &mut engine, &mut log) {
        eprintln!("warning: cannot save the build cache in .causerie/: {e}");
    }
    phase("cache save", t);
    // The process ends after this build: freeing a 10 000-post site piece
    // by piece took 60 ms, and the kernel takes it back at exit anyway.
    std::mem::forget(engine);
    r
}
