//! Planning a build: every job's name and key, which jobs are dirty, and
//! whether a full build into a fresh tree is cheaper than a partial one.

use super::*;

/// What a build will render.
pub(super) struct Plan {
    pub(super) jobs: Vec<Job>,
    /// Each job's name and key, in the order of `jobs`.
    pub(super) keyed: Vec<(u64, Option<u64>)>,
    /// Each post's [`summary_key`].
    pub(super) skeys: Vec<u64>,
    /// The jobs whose key changed or whose files are missing.
    pub(super) dirty: Vec<usize>,
    /// Render everything into a fresh tree.
    pub(super) full: bool,
}

impl Plan {
    /// How many jobs the build renders.
    pub(super) fn rendered(&self) -> usize {
        if self.full {
            self.jobs.len()
        } else {
            self.dirty.len()
        }
    }
}

impl Engine {
    /// Keys every job of `site` and compares them with the records of
    /// `output`; loads the HTML the rendering will need from the log.
    pub(super) fn plan(&mut self, site: &mut Site, global: u64, output: &Path) -> Result<Plan> {
        let t = Instant::now();
        let (jobs, keyed, skeys) = self.keyed(site, global)?;
        phase("keys", t);
        let t = Instant::now();
        let usable = self.records.usable(output);
        let dirty = self.records.dirty(&keyed, usable, output);
        phase("outputs", t);
        let limit = self.partial_limit.unwrap_or(1.0 / 3.0);
        let full = !usable || dirty.len() as f64 > limit * jobs.len() as f64;
        let plan = Plan {
            jobs,
            keyed,
            skeys,
            dirty,
            full,
        };
        self.markdown.fill_for(site, &plan)?;
        Ok(plan)
    }
}

impl Engine {
    /// Every job, its name and key, and each post's [`summary_key`]: after
    /// a patch that kept the order, by re-keying only what it touched
    /// ([`rekey`]), else by keying everything.
    fn keyed(&mut self, site: &Site, global: u64) -> Result<rekey::Keyed> {
        let order_kept = std::mem::take(&mut self.kept.order_kept);
        let t = Instant::now();
        let cx = keys::Ctx::new(site, global);
        phase("entry fps", t);
        let last = self.kept.keys.as_mut().filter(|_| order_kept);
        if let Some(got) = last.and_then(|l| l.rekey(&cx, global)) {
            if verify::enabled() {
                let jobs = crate::render::jobs_of(site);
                let (keyed, skeys) = keyed(&cx, &jobs, global);
                rekey::check(&got, &(jobs, keyed, skeys))?;
            }
            return Ok(got);
        }
        self.kept.keys = None;
        let jobs = crate::render::jobs_of(site);
        let (keyed, skeys) = keyed(&cx, &jobs, global);
        let all = (jobs, keyed, skeys);
        if !self.one_shot {
            self.kept.keys = Some(rekey::LastKeys::new(site, &cx, global, &all));
        }
        Ok(all)
    }
}

/// Each job's name and key, and each post's [`summary_key`].
fn keyed(cx: &keys::Ctx<'_>, jobs: &[Job], global: u64) -> (Vec<(u64, Option<u64>)>, Vec<u64>) {
    let site = cx.site();
    let skeys: Vec<u64> = (0..site.content.posts.len())
        .map(|i| summary_key(global, cx, i))
        .collect();
    let keyed: Vec<(u64, Option<u64>)> = jobs
        .par_iter()
        .map(|j| (keys::name(site, j), keys::key(cx, j)))
        .collect();
    (keyed, skeys)
}
