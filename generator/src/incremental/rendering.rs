//! Rendering a plan's jobs: every job into a fresh stage (a full build),
//! or only the dirty ones into memory (a partial one). Nothing is visible
//! in the output until [`Engine::apply`].

use super::*;

/// What [`Engine::render`] made, for [`Engine::apply`].
pub(super) struct Made {
    pub(super) files: Files,
    /// The list views this build made, by [`summary_key`], to keep for the
    /// next build (a resident engine only).
    pub(super) summaries: Option<Vec<(u64, std::sync::Arc<Summary>)>>,
}

pub(super) enum Files {
    /// Every job's files, written into the stage, in the order of the jobs.
    Staged(Stage, Vec<Vec<FileRec>>),
    /// The dirty jobs' files, in the order of the plan's `dirty`.
    Dirty(Vec<Vec<Output>>),
}

impl Engine {
    /// Renders what `plan` says into `output`'s stage or into memory.
    pub(super) fn render(&mut self, site: &Site, plan: &Plan, output: &Path) -> Result<Made> {
        let t = Instant::now();
        let (tera, kept) = self.templates(site, plan.global)?;
        let summaries = &self.kept.summaries;
        let cached = |i: usize| summaries.get(&plan.skeys[i]).cloned();
        let renderer = Renderer::with_templates(site, tera, &cached);
        debug_assert_eq!(renderer.jobs(), *plan.jobs);
        phase("renderer", t);
        let damaged = AtomicBool::new(false);
        let source = self.markdown.source(site, &damaged);
        let mut renderer = renderer.with_html_source(&source);
        // Freeing views after use pays only if their uses come close together.
        let order = (self.one_shot && plan.full).then(|| {
            renderer.free_summaries_after_use();
            order::by_newest_shown(site, &plan.jobs)
        });
        let files = self
            .verify(site, plan, &cached, &source)
            .and_then(|()| match plan.full {
                true => staged(&renderer, &plan.jobs, order.as_deref(), output),
                false => dirty(&renderer, &plan.jobs, &plan.dirty),
            })
            .and_then(|f| match (&f, kept && verify::enabled()) {
                (Files::Dirty(outs), true) => same_as_fresh(site, plan, outs, &source).map(|()| f),
                _ => Ok(f),
            });
        // Kept for the next build; those no job made are made when needed.
        let summaries = (!self.one_shot && files.is_ok()).then(|| {
            (renderer.summaries_made().into_iter())
                .map(|(i, s)| (plan.skeys[i], s))
                .collect()
        });
        drop(renderer);
        drop(source);
        // Nothing is written from a render that read a damaged brief.
        if damaged.into_inner() || self.markdown.is_damaged() {
            self.markdown.damaged = true;
            return Err(Error::Other(
                "the build cache in .causerie/ is damaged".into(),
            ));
        }
        Ok(Made {
            files: files?,
            summaries,
        })
    }

    /// The template engine for a site of key `global`: the kept one if it
    /// was made for the same key (true), else a new one, kept by a
    /// resident engine.
    fn templates(&mut self, site: &Site, global: u64) -> Result<(Templates, bool)> {
        if let Some((g, t)) = &self.kept.templates
            && *g == global
        {
            return Ok((t.clone(), true));
        }
        self.kept.templates = None;
        let tera = crate::render::templates_of(site).map_err(Error::Content)?;
        if !self.one_shot {
            self.kept.templates = Some((global, tera.clone()));
        }
        Ok((tera, false))
    }

    /// In verify mode, renders afresh what the plan keeps and compares.
    fn verify(
        &self,
        site: &Site,
        plan: &Plan,
        cached: &(dyn Fn(usize) -> Option<std::sync::Arc<Summary>> + Sync),
        source: crate::render::HtmlSource<'_>,
    ) -> Result<()> {
        if !verify::enabled() {
            return Ok(());
        }
        let kept = (!plan.full).then_some(&plan.dirty[..]);
        let records = &self.records.jobs;
        verify::check(site, &plan.jobs, &plan.keyed, kept, records, cached, source)
    }
}

/// Renders every job into a fresh stage of `output`, in `order` if given
/// (the files come back in the order of `jobs` either way).
fn staged(
    renderer: &Renderer<'_>,
    jobs: &[Job],
    order: Option<&[usize]>,
    output: &Path,
) -> Result<Files> {
    let stage = Stage::new(output)?;
    let all: Vec<usize>;
    let order = match order {
        Some(o) => o,
        None => {
            all = (0..jobs.len()).collect();
            &all
        }
    };
    let in_order: Vec<Result<Vec<FileRec>>> = order
        .par_iter()
        .map(|&k| {
            let outs = renderer
                .render(&jobs[k])
                .map_err(|d| Error::Content(vec![d]))?;
            outs.iter()
                .map(|o| {
                    stage.write(o)?;
                    Ok(file_rec(o))
                })
                .collect()
        })
        .collect();
    let mut done: Vec<Option<Result<Vec<FileRec>>>> = (0..jobs.len()).map(|_| None).collect();
    for (&k, r) in order.iter().zip(in_order) {
        done[k] = Some(r);
    }
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut files = Vec::with_capacity(jobs.len());
    for r in done.into_iter().flatten() {
        match r {
            Ok(f) => files.push(f),
            Err(Error::Content(mut d)) => errors.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Content(errors));
    }
    Ok(Files::Staged(stage, files))
}

/// In verify mode, with a kept template engine: the dirty jobs' outputs
/// must be what a renderer made from scratch makes of them.
fn same_as_fresh(
    site: &Site,
    plan: &Plan,
    outs: &[Vec<Output>],
    source: crate::render::HtmlSource<'_>,
) -> Result<()> {
    let fresh = Renderer::new(site)
        .map_err(Error::Content)?
        .with_html_source(source);
    for (&k, made) in plan.dirty.iter().zip(outs) {
        let again = fresh
            .render(&plan.jobs[k])
            .map_err(|d| Error::Content(vec![d]))?;
        let hashes = |o: &[Output]| o.iter().map(file_rec).collect::<Vec<_>>();
        if hashes(made) != hashes(&again) {
            return Err(Error::Other(format!(
                "verify: {:?} rendered with the kept template engine differs from a fresh render",
                plan.jobs[k]
            )));
        }
    }
    Ok(())
}

/// Renders the `dirty` jobs in memory; only if all succeed are they applied.
fn dirty(renderer: &Renderer<'_>, jobs: &[Job], dirty: &[usize]) -> Result<Files> {
    let rendered: Vec<std::result::Result<Vec<Output>, Diagnostic>> = dirty
        .par_iter()
        .map(|&k| renderer.render(&jobs[k]))
        .collect();
    let mut errors = Vec::new();
    let mut outs = Vec::with_capacity(dirty.len());
    for r in rendered {
        match r {
            Ok(o) => outs.push(o),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Content(errors));
    }
    Ok(Files::Dirty(outs))
}
