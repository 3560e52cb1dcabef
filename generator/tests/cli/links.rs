//! The link check of `causerie build` with its cache: a warm build checks
//! only what an edit can have broken, and must still find all of it.

use crate::helpers::*;

fn broken_lines(o: &std::process::Output) -> Vec<String> {
    let mut l: Vec<String> = stderr(o)
        .lines()
        .filter(|l| l.contains("broken link"))
        .map(String::from)
        .collect();
    l.sort();
    l
}

#[test]
fn warm_builds_find_the_links_an_edit_broke() {
    let (_tmp, site) = copy_fixture("broken_link");
    let links = site.join("content/posts/links.md");
    let good = "+++\ntitle = \"Links\"\ndate = 2024-01-01\n+++\n\nFine [link](/posts/other/).\n";
    std::fs::write(&links, good).unwrap();
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", stderr(&o));

    // The edited post itself gains a broken link (the site's paths stay).
    std::fs::write(&links, format!("{good}\nNow [gone](/posts/gone/) too.\n")).unwrap();
    let o = run(&["build"], &site);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        broken_lines(&o),
        ["content/posts/links.md:8: broken link: /posts/gone/ (no page or file at /posts/gone/)"]
    );
    std::fs::write(&links, good).unwrap();
    assert!(run(&["build"], &site).status.success());

    // An unedited post's link breaks when its target goes away.
    let other = site.join("content/posts/other.md");
    let other_text = std::fs::read_to_string(&other).unwrap();
    std::fs::remove_file(&other).unwrap();
    let o = run(&["build"], &site);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        broken_lines(&o),
        ["content/posts/links.md:6: broken link: /posts/other/ (no page or file at /posts/other/)"]
    );
    // And is fine again when it comes back.
    std::fs::write(&other, other_text).unwrap();
    let o = run(&["build"], &site);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(site.join("public/posts/other/index.html").is_file());
}
