//! Blogger exports: the classic form (a Persian blog) and Takeout.

use crate::helpers::*;

#[test]
fn blogger_persian_survives_byte_for_byte() {
    let (_tmp, root) = site();
    let o = ok(import("blogger", &fixture("blogger-fa.xml"), &root, &[]));
    assert!(
        text(&o).contains("imported 1 post, 1 page, 1 draft"),
        "{}",
        text(&o)
    );
    let post = read(&root, "content/posts/salam-donya.md");
    for want in [
        "title = \"سلام دنیا\"",
        "date = \"2020-01-15T09:00:00Z\"",
        "tags = [\"سفر\", \"دریا\"]",
        "aliases = [\"/2020/01/salam-donya.html\"]",
        "این یک متن فارسی است: «سلام، دنیا!» و نیم‌فاصله‌ها حفظ می‌شوند.",
        "پیوند به [یک سایت](https://example.ir/).",
    ] {
        assert!(post.contains(want), "missing {want:?} in\n{post}");
    }
    let draft = read(&root, "content/posts/pyshnwys.md");
    assert!(draft.contains("draft = true") && draft.contains("title = \"پیش‌نویس\""));
    assert!(read(&root, "content/about.md").contains("aliases = [\"/p/about.html\"]"));
    // Settings, the template and the comment are not content.
    let files: Vec<_> = walk(&root.join("content"));
    assert_eq!(files.len(), 3, "{files:?}");
    ok(causerie(&["build"], &root));
    assert!(root.join("public/2020/01/salam-donya.html").is_file());
}

#[test]
fn blogger_takeout_form() {
    let (_tmp, root) = site();
    let o = ok(import(
        "blogger",
        &fixture("blogger-takeout.atom"),
        &root,
        &[],
    ));
    assert!(
        text(&o).contains("imported 1 post, 0 pages, 1 draft"),
        "{}",
        text(&o)
    );
    let post = read(&root, "content/posts/from-takeout.md");
    assert!(
        post.contains("aliases = [\"/2021/04/from-takeout.html\"]"),
        "{post}"
    );
    assert!(post.contains("tags = [\"notes\"]"), "{post}");
    assert!(post.contains("Line one  \nline two"), "{post}");
    assert!(read(&root, "content/posts/takeout-draft.md").contains("draft = true"));
    assert!(!root.join("content/posts/trashed.md").exists());
}
