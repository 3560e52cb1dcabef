//! Planning a build: every job's name and key, which jobs are dirty, and
//! whether a full build into a fresh tree is cheaper than a partial one.

use super::*;
use std::sync::Arc;

/// What a build will render.
pub(super) struct Plan {
    pub(super) jobs: Arc<Vec<Job>>,
    /// Each job's name and key, in the order of `jobs`.
    pub(super) keyed: Arc<Vec<(u64, Option<u64>)>>,
    /// Each post's [`summary_key`].
    pub(super) skeys: Arc<Vec<u64>>,
    /// The jobs whose key changed or whose files are missing.
    pub(super) dirty: Vec<usize>,
    /// Render everything into a fresh tree.
    pub(super) full: bool,
    /// The global key ([`keys::global`]) the jobs were keyed with.
    pub(super) global: u64,
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
        let ((jobs, keyed, skeys), rekeyed) = self.keyed(site, global)?;
        phase("keys", t);
        let t = Instant::now();
        let usable = self.records.usable(output);
        let dirty = match rekeyed {
            Some(r) if usable && self.records.seen_output => {
                self.dirty_among(&keyed, &r, output)?
            }
            _ => self.records.dirty(&keyed, usable, output),
        };
        phase("outputs", t);
        let limit = self.partial_limit.unwrap_or(1.0 / 3.0);
        let full = !usable || dirty.len() as f64 > limit * jobs.len() as f64;
        let plan = Plan {
            jobs,
            keyed,
            skeys,
            dirty,
            full,
            global,
        };
        self.markdown.fill_for(site, &plan)?;
        Ok(plan)
    }
}

impl Engine {
    /// The dirty jobs of a re-keyed plan: only the `rekeyed` jobs can be,
    /// as every other job kept the key the last build recorded for it
    /// (looking up all 235 000 records was a tenth of a one-post edit).
    /// A failed build drops the kept keys, so the next one keys all.
    fn dirty_among(
        &self,
        keyed: &[(u64, Option<u64>)],
        rekeyed: &[u32],
        output: &Path,
    ) -> Result<Vec<usize>> {
        let some: Vec<(u64, Option<u64>)> = rekeyed.iter().map(|&j| keyed[j as usize]).collect();
        let dirty: Vec<usize> = (self.records.dirty(&some, true, output).into_iter())
            .map(|k| rekeyed[k] as usize)
            .collect();
        if verify::enabled() && dirty != self.records.dirty(keyed, true, output) {
            return Err(Error::Other(
                "verify: a job not re-keyed is dirty: the kept keys and the records differ".into(),
            ));
        }
        Ok(dirty)
    }

    /// Every job, its name and key, and each post's [`summary_key`]: after
    /// a patch that kept the order, by re-keying only what it touched
    /// ([`rekey`]; with the jobs it re-keyed), else by keying everything.
    fn keyed(&mut self, site: &Site, global: u64) -> Result<(rekey::Keyed, Option<Vec<u32>>)> {
        let order_kept = std::mem::take(&mut self.kept.order_kept);
        let touched = self.kept.touched.take().filter(|_| order_kept);
        let t = Instant::now();
        let last = self.kept.keys.as_ref().filter(|_| order_kept);
        let patched = last.zip(touched.as_deref());
        let cx = (patched.and_then(|(l, t)| keys::Ctx::patched(site, global, l.fps(), t)))
            .unwrap_or_else(|| keys::Ctx::new(site, global));
        phase("entry fps", t);
        if verify::enabled() && patched.is_some() {
            let all = keys::Ctx::new(site, global);
            if (cx.posts(), cx.pages()) != (all.posts(), all.pages()) {
                return Err(Error::Other(
                    "verify: an entry fingerprint changed that the patch did not touch".into(),
                ));
            }
        }
        let last = self.kept.keys.as_mut().filter(|_| order_kept);
        if let Some((got, rekeyed)) = last.and_then(|l| l.rekey(&cx, global)) {
            if verify::enabled() {
                rekey::check(&got, &keyed_all(&cx, site, global))?;
            }
            return Ok((got, Some(rekeyed)));
        }
        self.kept.keys = None;
        let all = keyed_all(&cx, site, global);
        if !self.one_shot {
            self.kept.keys = Some(rekey::LastKeys::new(site, &cx, global, &all));
        }
        Ok((all, None))
    }
}

/// Every job of `site`, keyed.
fn keyed_all(cx: &keys::Ctx<'_>, site: &Site, global: u64) -> rekey::Keyed {
    let jobs = crate::render::jobs_of(site);
    let (keyed, skeys) = keyed(cx, &jobs, global);
    (Arc::new(jobs), Arc::new(keyed), Arc::new(skeys))
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
