//! Building: every output, byte-stable, atomic, drafts, init and new.

use crate::helpers::*;

#[test]
fn good_site_builds_every_output() {
    let (_guard, good) = copy_fixture("good");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&["build", "--output", out.to_str().unwrap()], &good);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("built "), "{}", stdout(&o));
    for f in [
        "index.html",
        "page/2/index.html",
        "page/4/index.html",
        "posts/post-1/index.html",
        "posts/post-1/comments.xml",
        "posts/bundle/index.html",
        "posts/bundle/pic.txt",
        "about/index.html",
        "tags/index.html",
        "tags/common/index.html",
        "tags/common/page/3/index.html",
        "tags/common/feed.xml",
        "tags/common/rss.xml",
        "tags/common/feed.json",
        "feed.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "old/bundle/index.html",
        "causerie-pages.json",
        "style.css",
        "extra.css",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    assert!(
        !out.join("posts/draft").exists(),
        "drafts are not published"
    );
    assert!(
        !out.join("posts/scheduled").exists(),
        "scheduled posts are not published"
    );
    assert!(
        !out.join("page/5").exists(),
        "7 posts at 2 per page make 4 pages"
    );

    let post = read(out.join("posts/post-3/index.html"));
    assert!(
        post.contains("<link rel=\"webmention\" href=\"https://comments.example/webmention\">")
    );
    assert!(post.contains("<link rel=\"pingback\" href=\"https://comments.example/xmlrpc\">"));
    assert!(post.contains("<script src=\"https://comments.example/embed.js\" defer></script>"));
    assert!(post.contains("<section id=\"comments\""));
    assert!(post.contains("data-causerie-page=\"/posts/post-3/\""));
    assert!(post.contains("action=\"https://comments.example/api/comments\""));
    assert!(post.contains("name=\"homepage\""));
    assert!(post.contains("id=\"comment-published\"") && post.contains("id=\"comment-held\""));
    assert!(post.contains("class=\"h-entry post\""));
    assert!(post.contains("<link rel=\"me\" href=\"https://social.example/@tess\">"));
    // prev/next: posts are newest first; post-3's older neighbour is post-2.
    assert!(
        post.contains("<a rel=\"prev\" href=\"/posts/post-2/\">"),
        "{post}"
    );
    assert!(
        post.contains("<a rel=\"next\" href=\"/posts/post-4/\">"),
        "{post}"
    );

    // closed by front matter: no form, a notice instead
    let bundle = read(out.join("posts/bundle/index.html"));
    assert!(bundle.contains("data-causerie-closed=\"true\""));
    assert!(!bundle.contains("id=\"comment-form\""));
    assert!(bundle.contains("Comments are closed."));
    // and nothing else when it has no comments: no "No comments yet" heading
    assert!(!bundle.contains("comments-title") && !bundle.contains("No comments yet"));
    assert!(!bundle.contains("comments-feed"));
    assert!(
        bundle.contains("<img src=\"/posts/bundle/pic.txt\""),
        "bundle-relative images resolve"
    );
    assert!(bundle.contains("<h2 id=\"details\">"));
    assert!(bundle.contains("hl-keyword"), "code is highlighted");

    // the index shows the summary only (before <!-- more -->)
    let page2 = read(out.join("page/2/index.html"));
    assert!(
        page2.contains("Intro paragraph.")
            || read(out.join("index.html")).contains("Intro paragraph.")
    );
    assert!(!read(out.join("index.html")).contains("fn main"));

    // the site's templates/page.html overrides the theme's
    assert!(read(out.join("about/index.html")).contains("data-override=\"yes\""));
    // a Persian post is right-to-left
    assert!(read(out.join("posts/farsi/index.html")).contains("lang=\"fa\" dir=\"rtl\""));
    // aliases redirect
    let alias = read(out.join("old/bundle/index.html"));
    assert!(
        alias.contains("url=https://blog.example/posts/bundle/"),
        "{alias}"
    );

    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("causerie-pages.json"))).unwrap();
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["pages"]["/posts/bundle/"]["comments"], "closed");
    assert_eq!(manifest["pages"]["/posts/post-5/"]["comments"], "open");
    assert_eq!(
        manifest["pages"]["/posts/post-5/"]["closes"],
        serde_json::Value::Null
    );
    assert_eq!(manifest["pages"]["/about/"]["comments"], "closed");

    let comments = read(out.join("posts/post-2/comments.xml"));
    assert!(comments.contains("<updated>2024-02-10T12:00:00Z</updated>"));
    assert!(!comments.contains("<entry>"));
    let feed = read(out.join("feed.xml"));
    assert!(
        feed.contains("<updated>2024-07-01T00:00:00Z</updated>"),
        "feed updated comes from content"
    );
    assert!(!feed.contains("secret draft"));
}

#[test]
fn two_builds_are_byte_identical() {
    let (_guard, good) = copy_fixture("good");
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    assert!(
        run(&["build", "--output", a.to_str().unwrap()], &good)
            .status
            .success()
    );
    assert!(
        run(&["build", "--output", b.to_str().unwrap()], &good)
            .status
            .success()
    );
    assert_eq!(snapshot(&a), snapshot(&b));
}

#[test]
fn failed_build_leaves_previous_output_intact() {
    let (_tmp, site) = copy_fixture("good");
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&site.join("public"));
    std::fs::write(
        site.join("content/posts/post-2.md"),
        "+++\ntitle = \"Broken\"\ndate = \"never\"\n+++\n",
    )
    .unwrap();
    let o = run(&["build"], &site);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(
        "content/posts/post-2.md:3: date: expected RFC 3339 or YYYY-MM-DD, found \"never\""
    ));
    assert_eq!(
        snapshot(&site.join("public")),
        before,
        "the old output is untouched"
    );
    let debris: Vec<_> = std::fs::read_dir(&site)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(debris.is_empty(), "no staging directory left behind");
}

#[test]
fn template_error_fails_the_build_and_names_the_template() {
    let (_tmp, site) = copy_fixture("good");
    let o = run(&["build"], &site);
    assert!(o.status.success());
    let before = snapshot(&site.join("public"));
    std::fs::write(site.join("templates/page.html"), "{% extends \"base.html\" %}\n{% block main %}\n{{ post.title | nosuchfilter }}\n{% endblock main %}\n").unwrap();
    let o = run(&["build"], &site);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .lines()
            .any(|l| l == "templates/page.html:3: Unknown filter `nosuchfilter`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&site.join("public")), before);
}

#[test]
fn files_deleted_from_the_output_by_hand_come_back() {
    let (_tmp, site) = copy_fixture("good");
    assert!(run(&["build"], &site).status.success());
    let whole = snapshot(&site.join("public"));
    deleted_by_hand_come_back(&site, &whole);
}

#[test]
fn deleted_posts_leave_no_stale_files() {
    let (_tmp, site) = copy_fixture("good");
    assert!(run(&["build"], &site).status.success());
    assert!(site.join("public/posts/post-5/index.html").exists());
    std::fs::remove_file(site.join("content/posts/post-5.md")).unwrap();
    assert!(run(&["build"], &site).status.success());
    assert!(!site.join("public/posts/post-5").exists());
    assert!(!site.join("public/tags/t5").exists());
}

#[test]
fn drafts_flag_publishes_drafts_and_scheduled_posts() {
    let (_guard, good) = copy_fixture("good");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(
        &["build", "--drafts", "--output", out.to_str().unwrap()],
        &good,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("posts/draft/index.html").exists());
    assert!(out.join("posts/scheduled/index.html").exists());
}

#[test]
fn check_lists_scheduled_posts_and_writes_nothing() {
    let (_tmp, site) = copy_fixture("good");
    let o = run(&["check"], &site);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("content/posts/scheduled.md:3: scheduled for 2999-01-01T00:00:00Z"),
        "{}",
        stdout(&o)
    );
    assert!(!site.join("public").exists());
}

#[test]
fn base_url_flag_overrides_config() {
    let (_guard, good) = copy_fixture("good");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(
        &[
            "build",
            "--base-url",
            "http://127.0.0.1:4000/blog/",
            "--output",
            out.to_str().unwrap(),
        ],
        &good,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let post = read(out.join("posts/post-1/index.html"));
    assert!(
        post.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:4000/blog/posts/post-1/\">")
    );
    assert!(
        post.contains("href=\"/blog/about/\""),
        "root links get the base path"
    );
}

#[test]
fn init_scaffold_builds_and_new_writes_a_post() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(&["init", "site"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let site = tmp.path().join("site");
    let config = read(site.join("causerie.toml"));
    assert!(config.contains("url = \"http://127.0.0.1:8787\""));
    assert!(config.lines().any(|l| l.starts_with("base_url")));
    let o = run(&["new", "Hello Again, World!"], &site);
    assert!(o.status.success(), "{}", stderr(&o));
    let post = read(site.join("content/posts/hello-again-world.md"));
    assert!(post.starts_with("+++\ntitle = \"Hello Again, World!\"\ndate = \""));
    assert_eq!(
        run(&["new", "Hello Again, World!"], &site).status.code(),
        Some(1),
        "never overwrites"
    );
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(site.join("public/posts/hello-world/index.html").exists());
    assert_eq!(
        run(&["init", "site"], tmp.path()).status.code(),
        Some(1),
        "init refuses an existing site"
    );
}

#[test]
fn comments_close_after_the_configured_days() {
    let (_tmp, site) = copy_fixture("good");
    let config = read(site.join("causerie.toml")) + "close_after_days = 30\n";
    std::fs::write(site.join("causerie.toml"), config).unwrap();
    let o = run(&["build", "--drafts"], &site);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = site.join("public");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("causerie-pages.json"))).unwrap();
    assert_eq!(manifest["pages"]["/posts/post-5/"]["comments"], "closed");
    assert_eq!(
        manifest["pages"]["/posts/post-5/"]["closes"],
        "2024-06-09T12:00:00Z"
    );
    assert_eq!(manifest["pages"]["/posts/scheduled/"]["comments"], "open");
    assert_eq!(
        manifest["pages"]["/posts/scheduled/"]["closes"],
        "2999-01-31T00:00:00Z"
    );
    let old = read(out.join("posts/post-5/index.html"));
    assert!(old.contains("data-causerie-closed=\"true\"") && !old.contains("id=\"comment-form\""));
    assert!(read(out.join("posts/scheduled/index.html")).contains("id=\"comment-form\""));
}

#[test]
fn a_site_without_comments_has_no_conversation() {
    let (_tmp, site) = copy_fixture("good");
    let config = read(site.join("causerie.toml"));
    let without = config.split("[comments]").next().unwrap().to_string();
    std::fs::write(site.join("causerie.toml"), without).unwrap();
    assert!(run(&["build"], &site).status.success());
    let post = read(site.join("public/posts/post-1/index.html"));
    assert!(!post.contains("rel=\"webmention\"") && !post.contains("id=\"comments\""));
    assert!(site.join("public/posts/post-1/comments.xml").exists());
}

/// Sets every directory's mtime under `dir` an hour back, as if the
/// output had been written long ago (stamps trust only settled mtimes).
fn age_dirs(dir: &std::path::Path) {
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            age_dirs(&p);
        }
    }
    std::fs::File::open(dir).unwrap().set_modified(old).unwrap();
}

#[test]
fn files_deleted_by_hand_from_stamped_directories_come_back() {
    let (_tmp, site) = copy_fixture("good");
    assert!(run(&["build"], &site).status.success());
    let whole = snapshot(&site.join("public"));
    age_dirs(&site.join("public"));
    // This build looks every file up, finds them all, and stamps the
    // (settled) directories; the next trusts the stamps.
    assert!(run(&["build"], &site).status.success());
    assert!(site.join(".causerie/build-dirs.bin").is_file());
    assert!(run(&["build"], &site).status.success());
    deleted_by_hand_come_back(&site, &whole);
}

/// Deletes a page, a feed and a directory of the output by hand, builds,
/// and checks that the output is `whole` again.
fn deleted_by_hand_come_back(
    site: &std::path::Path,
    whole: &std::collections::BTreeMap<String, Vec<u8>>,
) {
    std::fs::remove_file(site.join("public/posts/post-5/index.html")).unwrap();
    std::fs::remove_file(site.join("public/feed.xml")).unwrap();
    std::fs::remove_dir_all(site.join("public/tags")).unwrap();
    let o = run(&["build"], site);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        &snapshot(&site.join("public")),
        whole,
        "the whole site again"
    );
}
