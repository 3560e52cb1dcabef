//! `causerie check`: every content, config, link and template problem of the
//! site in one run, without writing anything.

use rayon::prelude::*;
use std::path::Path;

use crate::error::{Error, Result};
use crate::render::Renderer;
use crate::site::BuildOptions;

/// What a clean check found worth telling.
pub struct CheckReport {
    pub posts: usize,
    pub pages: usize,
    /// (source, line, date) of posts not yet published.
    pub scheduled: Vec<(String, usize, String)>,
}

pub fn run(root: &Path, opts: &BuildOptions) -> Result<CheckReport> {
    let site = super::build::prepare(root, opts)?;
    let renderer = Renderer::new(&site).map_err(Error::Content)?;
    // Render every page (and throw it away) so template errors show up too.
    let mut errors: Vec<_> = renderer
        .jobs()
        .par_iter()
        .filter_map(|j| renderer.render(j).err())
        .collect();
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Error::Content(errors));
    }
    Ok(CheckReport {
        posts: site.content.posts.len(),
        pages: site.content.pages.len(),
        scheduled: site
            .content
            .scheduled
            .iter()
            .map(|(s, l, d)| (s.clone(), *l, d.rfc3339()))
            .collect(),
    })
}
