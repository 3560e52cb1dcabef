//! A resident engine re-keys only the jobs an edit touches (a patch that
//! keeps the order). A title edit shows on the post's neighbours, the index
//! page and the term pages that list it: each must be rendered again, and
//! the output must equal a clean build. Verify mode (on in tests) also
//! checks every re-keyed plan against keying everything.

use super::*;

fn post(n: usize, title: &str, tag: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = \"2025-01-{:02}\"\ntags = [\"{tag}\"]\n+++\nBody of post {n}.\n",
        n + 1
    )
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

#[test]
fn a_title_edit_reaches_neighbours_lists_and_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let (inc, full) = (tmp.path().join("inc"), tmp.path().join("full"));
    std::fs::create_dir_all(root.join("content/posts")).unwrap();
    std::fs::write(
        root.join("causerie.toml"),
        "title = \"T\"\nbase_url = \"https://t.example/\"\nper_page = 3\n",
    )
    .unwrap();
    for n in 0..12 {
        let tag = if n % 2 == 0 { "even" } else { "odd" };
        let p = root.join(format!("content/posts/p{n}.md"));
        std::fs::write(&p, post(n, &format!("Old title {n}"), tag)).unwrap();
    }
    let opts = fixed_clock();
    let mut engine = partial_engine();
    engine.build(&root, &inc, &opts).unwrap();
    // p6 is the 6th newest of 12: neighbours p7 and p5, index page 2,
    // the first page of `even`.
    for round in 0..2 {
        let edited = root.join("content/posts/p6.md");
        let title = format!("Renamed {round}");
        std::fs::write(&edited, post(6, &title, "even")).unwrap();
        let o = engine
            .build_changed(&root, &inc, &opts, Some(&[edited]))
            .unwrap();
        assert!(o.patched && !o.full, "round {round}: {o:?}");
        for page in [
            "posts/p6/index.html",
            "posts/p5/index.html",
            "posts/p7/index.html",
            "page/2/index.html",
            "tags/even/index.html",
            "feed.xml",
        ] {
            assert!(read(&inc, page).contains(&title), "round {round}: {page}");
        }
        assert!(!read(&inc, "posts/p4/index.html").contains(&title));
        if full.exists() {
            std::fs::remove_dir_all(&full).unwrap();
        }
        build::run(&root, &full, &opts).unwrap();
        assert_same(&inc, &full, &format!("round {round}"));
    }
}
