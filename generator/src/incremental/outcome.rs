//! What one build did, and the line `serve`, `watch` and `build` print.

use crate::site::BuildReport;

/// What one build did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub report: BuildReport,
    /// Jobs rendered (out of `jobs`).
    pub rendered: usize,
    pub jobs: usize,
    /// Files written (created or changed) and removed.
    pub written: usize,
    pub removed: usize,
    /// True when everything was rendered into a fresh tree.
    pub full: bool,
    /// Output paths written, relative to the output root.
    pub changed: Vec<String>,
    /// The site was patched in memory rather than loaded again.
    pub patched: bool,
}

impl Outcome {
    /// The one-line summary `serve` and `build` print; its "Total in N ms"
    /// is what the benchmark script reads.
    pub fn summary(&self) -> String {
        let ms = self.report.elapsed.as_secs_f64() * 1000.0;
        format!(
            "{} of {} outputs rendered, {} files written, {} removed ({} posts). Total in {:.0} ms",
            self.rendered, self.jobs, self.written, self.removed, self.report.posts, ms
        )
    }
}
