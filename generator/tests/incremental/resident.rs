//! A resident engine (`serve`, `watch`) keeps its template engine and the
//! list views of posts between builds. An edit of what they are made from
//! (a post's title or summary; a template, the config) must show on every
//! page that shows it, as a clean build has it: a kept engine or view that
//! went stale would leave an old title, summary or template behind.

use super::*;

fn post(n: usize, title: &str, summary: &str) -> String {
    let tag = if n.is_multiple_of(2) { "even" } else { "odd" };
    format!(
        "+++\ntitle = \"{title}\"\ndate = \"2025-01-{:02}\"\ntags = [\"{tag}\"]\nsummary = \"{summary}\"\n+++\nBody of post {n}.\n",
        n + 1
    )
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

fn config(title: &str) -> String {
    format!("title = \"{title}\"\nbase_url = \"https://t.example/\"\nper_page = 3\n")
}

struct Resident {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    inc: PathBuf,
    full: PathBuf,
    opts: BuildOptions,
    engine: Engine,
}

impl Resident {
    /// Twelve posts, built once by a resident engine.
    fn new() -> Resident {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let (inc, full) = (tmp.path().join("inc"), tmp.path().join("full"));
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(root.join("causerie.toml"), config("T")).unwrap();
        for n in 0..12 {
            let p = root.join(format!("content/posts/p{n}.md"));
            std::fs::write(&p, post(n, &format!("Title {n}"), &format!("Gist {n}"))).unwrap();
        }
        let opts = fixed_clock();
        let mut engine = partial_engine();
        engine.build(&root, &inc, &opts).unwrap();
        Resident {
            _tmp: tmp,
            root,
            inc,
            full,
            opts,
            engine,
        }
    }

    /// Writes `text` to `rel` and rebuilds as `watch` does (told what
    /// changed); the output must equal a clean build's.
    fn edit(&mut self, rel: &str, text: &str) -> causerie::incremental::Outcome {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        let o = (self.engine)
            .build_changed(&self.root, &self.inc, &self.opts, Some(&[p]))
            .unwrap();
        if self.full.exists() {
            std::fs::remove_dir_all(&self.full).unwrap();
        }
        build::run(&self.root, &self.full, &self.opts).unwrap();
        assert_same(&self.inc, &self.full, rel);
        o
    }
}

/// p6 is the 6th newest of 12: its neighbours are p7 and p5, it is on
/// index page 2, the first page of `even`, and in the site's feeds.
const SHOWING_P6: [&str; 7] = [
    "posts/p6/index.html",
    "posts/p5/index.html",
    "posts/p7/index.html",
    "page/2/index.html",
    "tags/even/index.html",
    "tags/even/feed.xml",
    "feed.xml",
];

#[test]
fn a_summary_edit_reaches_every_list_and_feed_each_time() {
    let mut r = Resident::new();
    // Three rounds, and back to the first text: a view kept under the
    // post's index instead of its key would come back stale.
    for (round, gist) in ["Fresh gist", "Newer gist", "Fresh gist"]
        .iter()
        .enumerate()
    {
        let title = format!("Title round {round}");
        let o = r.edit("content/posts/p6.md", &post(6, &title, gist));
        assert!(o.patched && !o.full, "round {round}: {o:?}");
        for page in SHOWING_P6 {
            assert!(read(&r.inc, page).contains(&title), "{round}: {page}");
        }
        for page in ["page/2/index.html", "tags/even/index.html"] {
            assert!(read(&r.inc, page).contains(gist), "{round}: {page}");
        }
    }
}

#[test]
fn a_template_or_config_edit_is_used_by_the_edits_after_it() {
    let mut r = Resident::new();
    r.edit("content/posts/p6.md", &post(6, "Before", "Gist"));
    // A site override of the list item: every list page shows the mark.
    let item = theme_file("partials/post-item.html");
    r.edit(
        "templates/partials/post-item.html",
        &format!("{item}<!-- item v1 -->\n"),
    );
    assert!(read(&r.inc, "tags/even/index.html").contains("item v1"));
    // A patched edit after it renders with the new template, not a kept one.
    let o = r.edit("content/posts/p6.md", &post(6, "After", "Gist"));
    assert!(o.patched, "{o:?}");
    assert!(read(&r.inc, "page/2/index.html").contains("item v1"));
    // The config's title is in every page's `site`.
    r.edit("causerie.toml", &config("Renamed site"));
    let o = r.edit("content/posts/p6.md", &post(6, "Later", "Gist"));
    assert!(o.patched, "{o:?}");
    for page in SHOWING_P6 {
        let text = read(&r.inc, page);
        assert!(text.contains("Later"), "{page}");
        if page.ends_with(".html") {
            assert!(text.contains("Renamed site"), "{page}");
        }
    }
    // And back: the engine kept for the first text is not reused blindly.
    r.edit("templates/partials/post-item.html", &item);
    r.edit("content/posts/p6.md", &post(6, "Last", "Gist"));
    assert!(!read(&r.inc, "page/2/index.html").contains("item v1"));
}

#[test]
fn an_updated_date_reaches_the_sitemap_which_a_body_edit_leaves_alone() {
    let mut r = Resident::new();
    // The sitemap is not keyed again for a body edit (its listing of the
    // post is unchanged), but must be for a new `updated` date.
    for (round, day) in ["2025-06-01", "2025-07-02"].iter().enumerate() {
        let text = post(6, "Same", "Gist")
            .replace("summary =", &format!("updated = \"{day}\"\nsummary ="));
        let o = r.edit("content/posts/p6.md", &text);
        assert!(o.patched && !o.full, "round {round}: {o:?}");
        assert!(read(&r.inc, "sitemap.xml").contains(day), "round {round}");
        let o = r.edit("content/posts/p6.md", &format!("{text}More body.\n"));
        assert!(o.patched && !o.full, "round {round}: {o:?}");
    }
}
