//! Property test of the incremental engine: random edit sequences over a
//! generated site (edits, creations, deletions, renames, tag, date and draft
//! changes, template, config and static-file edits). After every step the
//! engine's output must be byte-identical to a clean full build of the same
//! inputs, and a failing step must fail both ways.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use causerie::commands::build;
use causerie::conversation::cache;
use causerie::conversation::{Item, ItemKind};
use causerie::incremental::Engine;
use causerie::site::BuildOptions;

/// Options of every build here: a fixed clock, so that what is published
/// does not depend on the day the tests run.
fn fixed_clock() -> BuildOptions {
    BuildOptions {
        drafts: false,
        base_url: None,
        now: Some("2026-03-01T00:00:00Z".parse().unwrap()),
    }
}

/// An engine that builds partially however much changed, so that every
/// step exercises the incremental path.
fn partial_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_partial_limit(1.0);
    engine
}

/// xorshift64*: a tiny deterministic generator so a failing seed replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// A comment service that is never up: builds bake the cached comments.
const SERVICE: &str = "http://127.0.0.1:9";

const TAGS: &[&str] = &["rust", "web", "notes", "travel", "Long Tag", "ideas"];
const CATS: &[&str] = &["tech", "life"];
const WORDS: &[&str] = &[
    "alpha", "brook", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "juniper",
];

fn theme_file(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../themes/default/templates")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The generated site and what the generator knows about it.
struct SiteGen {
    root: PathBuf,
    rng: Rng,
    /// Post file stems that exist.
    posts: Vec<String>,
    next_id: usize,
    template_version: usize,
    config_version: usize,
    /// Comments in the conversation cache (the service itself is down).
    comments: BTreeMap<i64, Item>,
}

impl SiteGen {
    fn new(root: PathBuf, seed: u64) -> SiteGen {
        let mut g = SiteGen {
            root,
            rng: Rng(seed | 1),
            posts: Vec::new(),
            next_id: 0,
            template_version: 0,
            config_version: 0,
            comments: BTreeMap::new(),
        };
        std::fs::create_dir_all(g.root.join("content/posts")).unwrap();
        std::fs::create_dir_all(g.root.join("static")).unwrap();
        g.write_config();
        std::fs::write(
            g.root.join("content/about.md"),
            "+++\ntitle = \"About\"\n+++\nAbout this [blog](/).\n",
        )
        .unwrap();
        std::fs::write(g.root.join("static/extra.css"), "body { color: #111 }\n").unwrap();
        for _ in 0..24 {
            g.create_post();
        }
        g.write_bundle(false);
        std::fs::write(g.root.join("content/posts/bundle/pic.txt"), "pixels 0\n").unwrap();
        g
    }

    /// A bundle post (`index.md` with a file beside it), with or without an alias.
    fn write_bundle(&mut self, alias: bool) {
        let aliases = if alias {
            "aliases = [\"/old/bundle/\"]\n"
        } else {
            ""
        };
        let text = format!(
            "+++\ntitle = \"Bundle\"\ndate = \"2025-05-05\"\n{aliases}+++\nSee ![a picture](pic.txt).\n"
        );
        let dir = self.root.join("content/posts/bundle");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.md"), text).unwrap();
    }

    fn base_path(&self) -> &'static str {
        // Every fourth config puts the site under a path: markdown links change.
        if self.config_version % 4 == 3 {
            "/blog/"
        } else {
            "/"
        }
    }

    fn write_config(&mut self) {
        let per_page = [3, 4, 5][self.config_version % 3];
        let mut text = format!(
            "base_url = \"https://blog.example{}\"\ntitle = \"Blog v{}\"\nper_page = {per_page}\nfeed_limit = 6\n\n[comments]\nurl = \"{SERVICE}\"\nclose_after_days = 30\n",
            self.base_path(),
            self.config_version
        );
        // Two configs in three publish the fediverse documents.
        if self.config_version % 3 != 2 {
            text.push_str("\n[activitypub]\nusername = \"blog\"\n");
        }
        std::fs::write(self.root.join("causerie.toml"), text).unwrap();
    }

    fn post_text(&mut self, id: usize) -> String {
        let r = &mut self.rng;
        let title = format!("{} {} {id}", r.pick(WORDS), r.pick(WORDS));
        let day = 1 + r.below(28);
        let month = 1 + r.below(12);
        // Mostly published; some scheduled after "now" (2026-03-01).
        let year = if r.chance(15) { 2026 } else { 2025 };
        let mut tags = Vec::new();
        for _ in 0..r.below(3) {
            let t = r.pick(TAGS);
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let cat = r.pick(CATS);
        let draft = r.chance(8);
        let mut body = String::new();
        for p in 0..1 + r.below(3) {
            for _ in 0..5 + r.below(20) {
                body.push_str(r.pick(WORDS));
                body.push(' ');
            }
            body.push_str("\n\n");
            if p == 0 && r.chance(30) {
                body.push_str("<!-- more -->\n\n");
            }
        }
        if r.chance(30) {
            body.push_str("```rust\nfn main() { println!(\"hi\"); }\n```\n");
        }
        if r.chance(20) {
            body.push_str("See [the about page](/about/).\n");
        }
        let tags = tags
            .iter()
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "+++\ntitle = \"{title}\"\ndate = \"{year}-{month:02}-{day:02}\"\ntags = [{tags}]\ncategories = [\"{cat}\"]\ndraft = {draft}\n+++\n{body}"
        )
    }

    fn path_of(&self, stem: &str) -> PathBuf {
        self.root.join(format!("content/posts/{stem}.md"))
    }

    fn create_post(&mut self) {
        let id = self.next_id;
        self.next_id += 1;
        let stem = format!("post-{id}");
        let text = self.post_text(id);
        std::fs::write(self.path_of(&stem), text).unwrap();
        self.posts.push(stem);
    }

    /// One random change; returns what it did (for failure messages).
    fn step(&mut self) -> String {
        // A broken post is fixed by the next step (an author saving again).
        let broken = self.root.join("content/posts/broken.md");
        if broken.exists() {
            std::fs::remove_file(&broken).unwrap();
            return "fix broken".into();
        }
        let n = self.posts.len();
        let k = if n == 0 { 0 } else { self.rng.below(n) };
        match self.rng.below(110) {
            0..=25 if n > 0 => {
                // Rewrite a post (title, date, tags, draft and body all change).
                let id = self.next_id;
                self.next_id += 1;
                let text = self.post_text(id);
                std::fs::write(self.path_of(&self.posts[k]), text).unwrap();
                format!("rewrite {}", self.posts[k])
            }
            26..=35 if n > 0 => {
                // Append a paragraph only (same title/date/tags).
                let p = self.path_of(&self.posts[k]);
                let mut t = std::fs::read_to_string(&p).unwrap();
                t.push_str("\nAnother line of text.\n");
                std::fs::write(&p, t).unwrap();
                format!("append {}", self.posts[k])
            }
            36..=45 if n > 0 => {
                // Change only the date.
                let p = self.path_of(&self.posts[k]);
                let t = std::fs::read_to_string(&p).unwrap();
                let day = 1 + self.rng.below(28);
                let t = replace_line(&t, "date = ", &format!("date = \"2025-06-{day:02}\""));
                std::fs::write(&p, t).unwrap();
                format!("redate {}", self.posts[k])
            }
            46..=53 if n > 0 => {
                // Change only the tags.
                let p = self.path_of(&self.posts[k]);
                let t = std::fs::read_to_string(&p).unwrap();
                let tag = self.rng.pick(TAGS);
                let t = replace_line(&t, "tags = ", &format!("tags = [{tag:?}]"));
                std::fs::write(&p, t).unwrap();
                format!("retag {}", self.posts[k])
            }
            54..=61 if n > 1 => {
                let stem = self.posts.remove(k);
                std::fs::remove_file(self.path_of(&stem)).unwrap();
                format!("delete {stem}")
            }
            62..=69 if n > 0 => {
                let old = self.posts[k].clone();
                let new = format!("renamed-{}", self.next_id);
                self.next_id += 1;
                std::fs::rename(self.path_of(&old), self.path_of(&new)).unwrap();
                self.posts[k] = new.clone();
                format!("rename {old} -> {new}")
            }
            70..=77 => {
                self.create_post();
                format!("create {}", self.posts.last().unwrap())
            }
            78..=83 => {
                self.template_version += 1;
                let v = self.template_version;
                let dir = self.root.join("templates/partials");
                std::fs::create_dir_all(&dir).unwrap();
                let t = theme_file("partials/post-item.html");
                std::fs::write(dir.join("post-item.html"), format!("{t}<!-- v{v} -->\n")).unwrap();
                format!("template edit v{v}")
            }
            84..=88 => {
                self.config_version += 1;
                self.write_config();
                format!("config edit v{}", self.config_version)
            }
            89..=91 => {
                let v = self.rng.below(1000);
                std::fs::write(
                    self.root.join("static/extra.css"),
                    format!("body {{ color: #{v:03} }}\n"),
                )
                .unwrap();
                format!("static edit {v}")
            }
            92..=97 if n > 0 => {
                // A new comment on a post (or, sometimes, one removed).
                if self.rng.chance(25) && !self.comments.is_empty() {
                    let id = *self.comments.keys().next().unwrap();
                    self.comments.remove(&id);
                    self.save_comments();
                    return format!("remove comment {id}");
                }
                let id = self.next_id as i64;
                self.next_id += 1;
                let page = format!("{}posts/{}/", self.base_path(), self.posts[k]);
                self.comments.insert(
                    id,
                    Item {
                        id,
                        page: page.clone(),
                        parent: None,
                        author: format!("Reader {id}"),
                        website: None,
                        author_photo: None,
                        body_html: format!("<p>Comment number {id}</p>"),
                        created: format!("2026-02-{:02}T10:00:00Z", 1 + self.rng.below(27)),
                        updated: None,
                        kind: ItemKind::Comment,
                        source: None,
                        url: None,
                        is_owner: false,
                        verified: id % 2 == 0,
                    },
                );
                self.save_comments();
                format!("comment {id} on {page}")
            }
            100..=102 => {
                let v = self.rng.below(1000);
                std::fs::write(
                    self.root.join("content/about.md"),
                    format!(
                        "+++\ntitle = \"About {v}\"\n+++\nAbout this [blog](/), version {v}.\n"
                    ),
                )
                .unwrap();
                format!("page edit {v}")
            }
            103..=105 => {
                let v = self.rng.below(1000);
                std::fs::write(
                    self.root.join("content/posts/bundle/pic.txt"),
                    format!("pixels {v} {}\n", "x".repeat(v % 7)),
                )
                .unwrap();
                format!("asset edit {v}")
            }
            106..=109 => {
                let alias = self.rng.chance(50);
                self.write_bundle(alias);
                format!("bundle alias {alias}")
            }
            _ => {
                // A broken post: both builds must fail, then it is fixed.
                let p = self.root.join("content/posts/broken.md");
                std::fs::write(&p, "+++\ntitle = \"Broken\"\n+++\nno date\n").unwrap();
                "add broken".into()
            }
        }
    }
}

impl SiteGen {
    fn save_comments(&self) {
        cache::save_items(&self.root, SERVICE, &self.comments).unwrap();
        // The actor key rotates with the conversation (the export carries both).
        let key = causerie::activitypub::ActorKey {
            public_key_pem: format!(
                "-----BEGIN PUBLIC KEY-----\nKEY{}\n-----END PUBLIC KEY-----\n",
                self.comments.len() % 3
            ),
            followers: 0,
        };
        causerie::conversation::actor_key::save(&self.root, SERVICE, Some(&key)).unwrap();
    }
}

fn replace_line(text: &str, prefix: &str, with: &str) -> String {
    text.lines()
        .map(|l| if l.starts_with(prefix) { with } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for e in walkdir(dir) {
        let rel = e
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        out.insert(rel, std::fs::read(&e).unwrap());
    }
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files
}

fn assert_same(inc: &Path, full: &Path, what: &str) {
    let a = tree(inc);
    let b = tree(full);
    let only_inc: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_full: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_inc.is_empty() && only_full.is_empty(),
        "after {what}: files only in the incremental output {only_inc:?}, only in the full build {only_full:?}"
    );
    for (k, v) in &a {
        if b[k] != *v {
            panic!(
                "after {what}: {k} differs\n--- incremental\n{}\n--- full\n{}",
                String::from_utf8_lossy(v),
                String::from_utf8_lossy(&b[k])
            );
        }
    }
}

/// Every source file of the site with its bytes (to tell what a step touched).
fn sources(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir(root)
        .into_iter()
        .filter(|p| !p.strip_prefix(root).unwrap().starts_with(".causerie"))
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

/// How the engine is driven.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// As `causerie build`: no hint, partial below the default limit.
    Plain,
    /// Every build partial, however much changed.
    AlwaysPartial,
    /// As `serve`: told exactly which files changed (the patch path).
    Told,
}

mod equivalence;
mod rekey;
mod resident;
