//! The order a full build renders its jobs in. Each post's list view is
//! made by the first job that shows it and freed after the last (its page,
//! its index page, its term pages); rendered in the order of the jobs (all
//! post pages, then all list pages) every view lived from its post page to
//! the end, which at 100 000 posts was half a gigabyte. Rendered by the
//! newest post each job shows, a view lives only from its post page to the
//! list pages just after it.

use crate::render::Job;
use crate::site::Site;

/// The indices of `jobs`, sorted so that each list page comes right after
/// the page of the last post it shows. Jobs that show no list view (pages,
/// feeds, the sitemap, …) come first: the big ones among them then start
/// early instead of finishing last on one core.
pub(super) fn by_newest_shown(site: &Site, jobs: &[Job]) -> Vec<usize> {
    let per = site.config.per_page.max(1);
    let count = site.content.posts.len();
    let place = |job: &Job| -> usize {
        match *job {
            Job::Post(i) | Job::CommentsFeed(i) | Job::ApObject(i) => i + 1,
            Job::Aliases(crate::content::Kind::Post, i)
            | Job::Assets(crate::content::Kind::Post, i) => i + 1,
            // Posts are newest first: page n shows posts up to n * per - 1.
            Job::Index(n) => (n * per).min(count),
            Job::Term(tax, t, n) => {
                let posts = &site.terms(tax)[t].posts;
                // Ascending post indices: the last one of the slice is the
                // furthest any of them is.
                let last = (n * per).min(posts.len());
                posts.get(last.wrapping_sub(1)).map_or(0, |&i| i + 1)
            }
            _ => 0,
        }
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    // Stable: a post page comes before the list page placed with it.
    order.sort_by_key(|&k| place(&jobs[k]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{BuildOptions, Taxonomy};

    fn site_with(posts: usize, per_page: usize) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("causerie.toml"),
            format!("title = \"T\"\nbase_url = \"https://e.example/\"\nper_page = {per_page}\n"),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        for i in 0..posts {
            let tags = if i % 3 == 0 {
                "[\"rare\", \"all\"]"
            } else {
                "[\"all\"]"
            };
            std::fs::write(
                root.join(format!("content/posts/p{i:03}.md")),
                format!(
                    "+++\ntitle = \"P{i}\"\ndate = 2024-01-01T00:{:02}:00Z\ntags = {tags}\n+++\nbody\n",
                    i % 60
                ),
            )
            .unwrap();
        }
        let (site, errors) = Site::load(root, &BuildOptions::default()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        (dir, site)
    }

    #[test]
    fn every_list_page_comes_after_the_pages_of_the_posts_it_shows() {
        let (_dir, site) = site_with(25, 4);
        let jobs = crate::render::jobs_of(&site);
        let order = by_newest_shown(&site, &jobs);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..jobs.len()).collect::<Vec<_>>(), "a permutation");
        let at = |job: &Job| order.iter().position(|&k| jobs[k] == *job).unwrap();
        let per = site.config.per_page;
        let mut lists = 0;
        for job in &jobs {
            let shown: Vec<usize> = match *job {
                Job::Index(n) => ((n - 1) * per..(n * per).min(site.content.posts.len())).collect(),
                Job::Term(tax, t, n) => {
                    let p = &site.terms(tax)[t].posts;
                    p[(n - 1) * per..(n * per).min(p.len())].to_vec()
                }
                _ => continue,
            };
            lists += 1;
            for i in shown {
                assert!(at(&Job::Post(i)) < at(job), "{job:?} before post {i}");
            }
        }
        assert!(lists > 7 + 2, "index and term pages were checked: {lists}");
        // The first index page comes before the pages of posts it does not show.
        assert!(at(&Job::Index(1)) < at(&Job::Post(per)));
        let rare = site
            .terms(Taxonomy::Tags)
            .iter()
            .position(|t| t.name == "rare")
            .unwrap();
        assert!(
            at(&Job::Term(Taxonomy::Tags, rare, 1)) < at(&Job::Post(site.content.posts.len() - 1))
        );
    }
}
