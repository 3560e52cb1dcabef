//! WordPress exports: content, old URLs, idempotence, broken and hostile
//! files, Webmentions.

use crate::helpers::*;

#[test]
fn wordpress_posts_pages_and_front_matter() {
    let (_tmp, root, o) = wordpress_site();
    let out = text(&o);
    assert!(
        out.contains("imported 4 posts, 1 page, 1 draft, 4 media files"),
        "{out}"
    );
    let walk = read(&root, "content/posts/walking-to-the-harbour/index.md");
    for want in [
        "title = \"Walking to the harbour\"",
        "date = \"2019-05-04T09:12:00Z\"",
        "updated = \"2019-05-06T08:00:00Z\"",
        "tags = [\"sea\"]",
        "categories = [\"Travel\"]",
        "aliases = [\"/2019/05/walking-to-the-harbour/\", \"/?p=101\"]",
        "**harbour**",
        "[all in](https://boats.example/)",
        // A link to another imported post now points at its new page.
        "[Sunday](/posts/a-quiet-sunday/)",
        // The upload, copied beside the post, in its resized variant and original.
        "[![The harbour](harbour-300x200.jpg)](harbour.jpg)",
    ] {
        assert!(walk.contains(want), "missing {want:?} in\n{walk}");
    }
    assert!(
        !walk.contains("wp:") && !walk.contains("comments ="),
        "{walk}"
    );
    assert_eq!(
        read(&root, "content/posts/walking-to-the-harbour/harbour.jpg"),
        "harbour jpeg bytes\n"
    );
    let sunday = read(&root, "content/posts/a-quiet-sunday/index.md");
    for want in [
        "title = \"A quiet Sunday & a boat\"",
        "summary = \"A day of nothing.\"",
        "comments = \"closed\"",
        // autop: a single newline is a line break, a blank line a paragraph.
        "Nothing happened today.  \nAnd that was fine.\n\n<!-- more -->\n\n",
        // [caption], [gallery] (the post's attachments), [embed], [code].
        "![A boat](boat.jpg)\n\nThe boat, asleep",
        "![](boat.jpg)\n\n![](net.jpg)",
        "(https://video.example/watch?v=42)",
        "```rust\nfn main() {\n    if 1 < 2 { println!(\"<ok>\"); }\n}\n```",
        "Careful with this, [travel](https://old.example/category/travel/)![](https://old.example/2019/06/a-quiet-sunday/relative.png) and",
    ] {
        assert!(sunday.contains(want), "missing {want:?} in\n{sunday}");
    }
    // Text that read `&lt;script&gt;` stays text; the real script is gone.
    assert!(sunday.contains("\\<script>alert(2)"), "{sunday}");
    for bad in [
        "alert('old')",
        "onclick",
        "onerror",
        "javascript:",
        "iframe",
        "evil.example",
    ] {
        assert!(!sunday.contains(bad), "{bad} survived:\n{sunday}");
    }
    let draft = read(&root, "content/posts/half-written-thoughts.md");
    assert!(draft.contains("draft = true"), "{draft}");
    assert!(draft.contains("date = \"2019-07-01T12:00:00Z\""), "{draft}");
    let next = read(&root, "content/posts/next-year.md");
    assert!(next.contains("date = \"2099-01-01T08:00:00Z\"") && !next.contains("draft"));
    let about = read(&root, "content/about.md");
    assert!(about.contains("aliases = [\"/?page_id=2\"]"), "{about}");
    assert!(
        !root.join("content/home.md").exists(),
        "menu items are skipped"
    );
}

#[test]
fn slug_collisions_and_unknown_shortcodes_are_reported() {
    let (_tmp, root, o) = wordpress_site();
    let file = fixture("wordpress-org.xml");
    let err = String::from_utf8_lossy(&o.stderr);
    let f = file.display();
    assert!(
        err.contains(&format!(
            "{f}:111: unknown shortcode [contact-form-7] in post \"a-quiet-sunday\""
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{f}:182: slug `a-quiet-sunday` is taken")),
        "{err}"
    );
    let again = read(&root, "content/posts/a-quiet-sunday-2.md");
    assert!(again.contains("Same name, other day."), "{again}");
}

#[test]
fn the_site_builds_and_old_urls_lead_to_the_new_pages() {
    let (_tmp, root, _) = wordpress_site();
    ok(causerie(&["build"], &root));
    let public = root.join("public");
    let old = read(&public, "2019/05/walking-to-the-harbour/index.html");
    assert!(
        old.contains("https://new.example/posts/walking-to-the-harbour/"),
        "{old}"
    );
    assert!(
        public
            .join("posts/walking-to-the-harbour/harbour.jpg")
            .is_file()
    );
    let map = read(&public, "_causerie/redirects.map");
    assert!(
        map.contains("\"/?p=101\" /posts/walking-to-the-harbour/;\n"),
        "{map}"
    );
    assert!(map.contains("\"/?page_id=2\" /about/;\n"), "{map}");
    assert!(
        !walk(&public)
            .iter()
            .any(|p| p.to_string_lossy().contains('?'))
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&public, "causerie-pages.json")).unwrap();
    assert_eq!(manifest["version"], 1);
    assert_eq!(
        manifest["pages"]["/posts/walking-to-the-harbour/"]["aliases"],
        serde_json::json!(["/2019/05/walking-to-the-harbour/", "/?p=101"])
    );
    let page = read(&public, "posts/a-quiet-sunday/index.html");
    assert!(
        !page.contains("<script>alert") && !page.contains("alert('old')"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(2)"),
        "the text stays text: {page}"
    );
}

#[test]
fn a_second_run_changes_nothing_and_edits_are_kept() {
    let (tmp, root, _) = wordpress_site();
    let before = tree(&root);
    let media = fixture("uploads");
    let args = ["--media", media.to_str().unwrap()];
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &args,
    ));
    assert_eq!(tree(&root), before, "the second run changed a byte");
    assert!(
        text(&o).contains("wrote 0 files, 10 unchanged"),
        "{}",
        text(&o)
    );

    let about = root.join("content/about.md");
    std::fs::write(&about, "+++\ntitle = \"About me\"\n+++\nMine now.\n").unwrap();
    let edited = tree(&root);
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &args,
    ));
    assert!(
        text(&o).contains("kept 1 file you edited since the last import: content/about.md"),
        "{}",
        text(&o)
    );
    assert_eq!(tree(&root), edited);
    drop(tmp);
}

#[test]
fn importing_again_with_media_turns_posts_into_bundles() {
    let (_tmp, root) = site();
    ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &[],
    ));
    assert!(
        root.join("content/posts/walking-to-the-harbour.md")
            .is_file()
    );
    let media = fixture("uploads");
    let args = ["--media", media.to_str().unwrap()];
    ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &args,
    ));
    assert!(
        !root
            .join("content/posts/walking-to-the-harbour.md")
            .exists()
    );
    assert!(
        root.join("content/posts/walking-to-the-harbour/index.md")
            .is_file()
    );
    ok(causerie(&["build"], &root));
    // And back without --media: the bundles stay as they are.
    let before = tree(&root.join("content"));
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &[],
    ));
    assert!(
        text(&o).contains("was imported with its media: left as it is"),
        "{}",
        text(&o)
    );
    assert_eq!(tree(&root.join("content")), before);
}

#[test]
fn an_existing_page_keeps_its_address() {
    // `causerie init` writes content/about.md: the imported About page
    // becomes /about-2/, and its old address /about/ stays the author's page.
    let (_tmp, root) = site();
    std::fs::create_dir_all(root.join("content")).unwrap();
    let mine = "+++\ntitle = \"About\"\n+++\nMy own.\n";
    std::fs::write(root.join("content/about.md"), mine).unwrap();
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-move-about.xml"),
        &root,
        &[],
    ));
    assert!(text(&o).contains("slug `about` is taken"), "{}", text(&o));
    assert_eq!(read(&root, "content/about.md"), mine);
    let about2 = read(&root, "content/about-2.md");
    assert!(about2.contains("aliases = [\"/?page_id=2\"]"), "{about2}");
    ok(causerie(&["build"], &root));
    assert!(read(&root.join("public"), "about/index.html").contains("My own."));
}

#[test]
fn dry_run_writes_nothing() {
    let (_tmp, root) = site();
    let before = tree(&root);
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root,
        &["--dry-run"],
    ));
    assert!(
        text(&o).contains("imported 4 posts, 1 page"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("dry run"), "{}", text(&o));
    assert_eq!(tree(&root), before);
}

#[test]
fn a_broken_export_names_line_and_column_and_changes_nothing() {
    let (tmp, root, _) = wordpress_site();
    let before = tree(&root);
    let whole = std::fs::read_to_string(fixture("wordpress-org.xml")).unwrap();
    let broken = tmp.path().join("broken.xml");
    for cut in [0.3, 0.6, 0.95] {
        let at = (whole.len() as f64 * cut) as usize;
        let at = (0..=at).rev().find(|i| whole.is_char_boundary(*i)).unwrap();
        std::fs::write(&broken, &whole[..at]).unwrap();
        let o = import("wordpress", &broken, &root, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        let prefix = format!("{}:", broken.display());
        let rest = err.split(&prefix).nth(1).unwrap_or_else(|| panic!("{err}"));
        let mut parts = rest.splitn(3, ':');
        let line: usize = parts.next().unwrap().parse().expect(&err);
        let col: usize = parts.next().unwrap().parse().expect(&err);
        assert!(line > 0 && col > 0, "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(tree(&root), before, "cut at {cut}");
    }
    std::fs::write(&broken, whole.replace("</wp:post_name>", "</wp:post_nam>")).unwrap();
    let o = import("wordpress", &broken, &root, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("broken.xml:"), "{}", text(&o));
}

#[test]
fn external_entities_are_never_resolved() {
    let (tmp, root) = site();
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET").unwrap();
    let whole = std::fs::read_to_string(fixture("wordpress-com.xml")).unwrap();
    let hostile = whole
        .replacen(
            "<rss",
            &format!(
                "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://{}\">]>\n<rss",
                secret.display()
            ),
            1,
        )
        .replace("A first post", "&xxe; A first post");
    let file = tmp.path().join("xxe.xml");
    std::fs::write(&file, hostile).unwrap();
    let before = tree(&root);
    let o = import("wordpress", &file, &root, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("xxe.xml:4:1: a DOCTYPE"), "{}", text(&o));
    assert!(!text(&o).contains("TOP-SECRET"));
    assert_eq!(tree(&root), before);
}

#[test]
fn imported_links_are_not_sent_again() {
    let (_tmp, root, o) = wordpress_site();
    assert!(
        text(&o).contains("recorded 3 links as already notified"),
        "{}",
        text(&o)
    );
    let wm: serde_json::Value = serde_json::from_str(&read(&root, "webmentions.json")).unwrap();
    let walk = &wm["sources"]["https://new.example/posts/walking-to-the-harbour/"]["targets"];
    assert_eq!(walk["https://boats.example/"]["result"], "imported");
    assert!(
        wm["sources"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains("next-year") && !k.contains("half-written")),
        "drafts and scheduled posts were never announced: {wm}"
    );
    ok(causerie(&["build"], &root));
    let o = ok(causerie(&["webmentions", "send", "--dry-run"], &root));
    let out = text(&o);
    assert!(!out.contains("would send"), "{out}");
    assert!(out.contains("3 unchanged"), "{out}");

    // With --send-webmentions nothing is recorded: the next send notifies all.
    let (_tmp2, root2) = site();
    ok(import(
        "wordpress",
        &fixture("wordpress-org.xml"),
        &root2,
        &["--send-webmentions"],
    ));
    assert!(!root2.join("webmentions.json").exists());
    ok(causerie(&["build"], &root2));
    let out = text(&ok(causerie(&["webmentions", "send", "--dry-run"], &root2)));
    assert!(out.contains("would send"), "{out}");
}

#[test]
fn wordpress_com_export_leaves_uploads_listed_without_media() {
    let (_tmp, root) = site();
    let o = ok(import(
        "wordpress",
        &fixture("wordpress-com.xml"),
        &root,
        &[],
    ));
    let out = text(&o);
    assert!(out.contains("imported 1 post, 0 pages"), "{out}");
    assert!(
        out.contains("1 media link left pointing to the old site"),
        "{out}"
    );
    let post = read(&root, "content/posts/hello-from-wordpress-com.md");
    assert!(
        post.contains("tags = [\"first\"]") && !post.contains("categories"),
        "{post}"
    );
    assert!(
        post.contains("\"/2018/03/10/hello-from-wordpress-com/\", \"/?p=7\""),
        "{post}"
    );
    assert!(post.contains("![view](https://oldblog.files.wordpress.com/2018/03/view.jpg?w=640)"));
}
