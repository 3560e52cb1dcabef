//! What a new author meets in their first hour (issue 12 §4), through the
//! real binary: the messages must say what is wrong and how to fix it.

use std::path::{Path, PathBuf};
use std::process::Output;

fn run(args: &[&str], cwd: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_causerie"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh `causerie init` site whose comment service URL is a closed port.
fn scaffold(tmp: &Path) -> PathBuf {
    let o = run(&["init", "site"], tmp);
    assert!(o.status.success(), "{}", stderr(&o));
    let root = tmp.join("site");
    let config = root.join("causerie.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("http://127.0.0.1:8787", "http://127.0.0.1:9"),
    )
    .unwrap();
    root
}

#[test]
fn a_file_without_front_matter_shows_both_accepted_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    std::fs::write(root.join("content/posts/plain.md"), "Just words.\n").unwrap();
    std::fs::write(root.join("content/colophon.md"), "Made by hand.\n").unwrap();
    let o = run(&["check"], &root);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "content/posts/plain.md:1: no front matter: the file must begin with TOML between `+++` lines or YAML between `---` lines, for example\n    +++\n    title = \"My first post\"\n    date = 2026-12-03\n    +++\nor\n    ---\n    title: My first post\n    date: 2026-12-03\n    ---\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/colophon.md:1: no front matter")
            && !err.contains("missing required key"),
        "a page's example has no date, and no key is said to be missing: {err}"
    );
}

#[test]
fn a_missing_root_is_named_and_nothing_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-site");
    let m = missing.to_str().unwrap();
    for cmd in ["build", "check"] {
        let o = run(&[cmd, "--root", m], tmp.path());
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(
            stderr(&o).starts_with(&format!(
                "{m}: no such directory (--root names the site directory"
            )),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    let o = run(&["new", "A post", "--root", m], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with(&format!("{m}: no such directory")),
        "{}",
        stderr(&o)
    );
    assert!(!missing.exists(), "a mistyped --root creates no directory");
    // A directory that is not a site says how to make one, and stays empty.
    let o = run(
        &["build", "--root", tmp.path().to_str().unwrap()],
        tmp.path(),
    );
    assert!(
        stderr(&o).contains("causerie.toml: not found:")
            && stderr(&o).contains("causerie init DIR"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join(".causerie").exists());
}

#[test]
fn an_unclosed_if_is_reported_at_its_own_line() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    let mut t = String::from(
        "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ post.title }}</h1>\n<p>x</p>\n{% if post.tags %}\n",
    );
    for i in 0..34 {
        t.push_str(&format!("<p>line {i}</p>\n"));
    }
    t.push_str("{% endblock main %}\n");
    std::fs::write(root.join("templates/post.html"), t).unwrap();
    let o = run(&["build"], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "templates/post.html:5: `{% if %}` is not closed: `{% endif %}` is missing before the `{% endblock %}` on line 40"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unknown_language_warns_and_the_site_can_add_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    let config = root.join("causerie.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("language = \"en\"", "language = \"fr\""),
    )
    .unwrap();
    let o = run(&["build"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: causerie.toml:")
            && err.contains("language = \"fr\": the theme has strings only for ar, de, en, fa, so the pages use English words")
            && err.contains("i18n/fr.toml"),
        "{err}"
    );
    let home = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(home.contains("<html lang=\"fr\""), "the pages still say fr");
    // The site's own i18n/fr.toml adds the language; missing keys stay English.
    std::fs::create_dir_all(root.join("i18n")).unwrap();
    std::fs::write(
        root.join("i18n/fr.toml"),
        "read_more = \"Lire « {title} »\"\n",
    )
    .unwrap();
    let o = run(&["build"], &root);
    assert!(!stderr(&o).contains("language = \"fr\""), "{}", stderr(&o));
    let home = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(
        home.contains("Lire « Hello, world »"),
        "the incremental build saw the new strings"
    );
}

#[test]
fn a_scaffold_without_a_comment_service_says_so_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    let first = stderr(&run(&["build"], &root));
    assert!(
        first.contains("warning: comments: no comment service answers at http://127.0.0.1:9")
            && first.contains("causerie serve --comments")
            && first.contains("This is said once"),
        "{first}"
    );
    let second = run(&["build"], &root);
    assert!(second.status.success());
    assert!(
        !stderr(&second).contains("warning"),
        "the second build is quiet: {}",
        stderr(&second)
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_causerie()"),
        ("zsh", "#compdef causerie"),
        ("fish", "complete -c causerie"),
    ] {
        let o = run(&["completions", shell], tmp.path());
        assert!(o.status.success(), "{shell}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains(marker) && out.contains("webmentions"),
            "{shell}: {out}"
        );
    }
    assert_eq!(
        run(&["completions", "tcsh"], tmp.path()).status.code(),
        Some(2)
    );
}

#[test]
fn persian_slugs_keep_their_letters_and_slugify_on_transliterates() {
    let tmp = tempfile::tempdir().unwrap();
    let root = scaffold(tmp.path());
    let config = root.join("causerie.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("language = \"en\"", "language = \"fa\""),
    )
    .unwrap();
    let o = run(&["new", "سلام دنیا"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    let post = root.join("content/posts/سلام-دنیا.md");
    let src = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        src.replace("draft = true", "draft = false")
            .replace("tags = []", "tags = [\"فارسی\"]"),
    )
    .unwrap();
    let o = run(&["build"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(root.join("public/posts/سلام-دنیا/index.html")).unwrap();
    assert!(
        page.contains("href=\"/tags/فارسی/\""),
        "the tag keeps its letters"
    );
    assert!(root.join("public/tags/فارسی/index.html").is_file());
    let sitemap = std::fs::read_to_string(root.join("public/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("/posts/%D8%B3%D9%84%D8%A7%D9%85-%D8%AF%D9%86%DB%8C%D8%A7/</loc>"),
        "the sitemap escapes the URL: {sitemap}"
    );
    // `slugify = "on"` transliterates, and the cached entries follow.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("slugify = \"on\"\n{text}")).unwrap();
    let o = run(&["build"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("public/posts/slm-dny/index.html").is_file());
    assert!(root.join("public/tags/frsy/index.html").is_file());
    assert!(!root.join("public/posts/سلام-دنیا").exists());
}
