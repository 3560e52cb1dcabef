//! Bad content and bad usage: each error names its file and line.

use crate::helpers::*;

#[test]
fn bad_date_is_reported_at_its_file_line() {
    assert_check_errors(
        "bad_date",
        &["content/posts/bad.md:3: date: expected RFC 3339 or YYYY-MM-DD, found \"soon\""],
    );
}

#[test]
fn unknown_front_matter_keys_in_toml_and_yaml_are_named() {
    let keys = "(expected one of: title, date, updated, draft, slug, summary, tags, categories, aliases, comments, language)";
    assert_check_errors(
        "unknown_key",
        &[
            &format!("content/posts/typo.md:4: unknown front matter key `titel` {keys}"),
            &format!("content/posts/typo2.md:5: unknown front matter key `sumary` {keys}"),
        ],
    );
}

#[test]
fn broken_internal_links_are_all_reported() {
    assert_check_errors(
        "broken_link",
        &[
            "content/posts/links.md:8: broken link: ../missing/ (no page or file at /posts/missing/)",
            "content/posts/links.md:8: broken link: /posts/nope/ (no page or file at /posts/nope/)",
        ],
    );
}

#[test]
fn missing_title_is_an_error() {
    assert_check_errors(
        "missing_title",
        &["content/posts/untitled.md:1: missing required key `title`"],
    );
}

#[test]
fn duplicate_slugs_are_an_error() {
    assert_check_errors(
        "duplicate_slug",
        &[
            "content/posts/same.md:1: duplicate slug `same`: /posts/same/ is also used by content/posts/one.md",
        ],
    );
}

#[test]
fn an_alias_may_not_shadow_a_page() {
    assert_check_errors(
        "alias_shadows_page",
        &["content/posts/moved.md:4: aliases: \"/about/\" is the address of content/about.md"],
    );
}

#[test]
fn bad_config_key_is_named_with_its_line() {
    assert_check_errors(
        "bad_config_key",
        &[
            "causerie.toml:6: unknown key `close_afterdays` (expected one of `url`, `default`, `close_after_days`) in [comments]",
        ],
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&["build", "--no-such-flag"], tmp.path()).status.code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"], tmp.path()).status.code(), Some(2));
    assert_eq!(run(&["--help"], tmp.path()).status.code(), Some(0));
}
