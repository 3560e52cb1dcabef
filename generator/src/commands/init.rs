//! `causerie init DIR`: a new site that builds as it is. The default theme
//! is built into the binary, so the scaffold holds only the author's files.

use std::path::Path;

use crate::error::{Error, Result};

const CONFIG: &str = r#"# Causerie site configuration. Unknown keys are errors.

# The public URL of the site (links in feeds and the sitemap use it).
base_url = "https://example.org/"
title = "My Causerie blog"
description = "Notes, in the open."
# BCP 47 language tag: sets the pages' lang, text direction (fa, ar, he are
# right-to-left) and the theme's strings. Default "en".
language = "en"
# Posts per index, tag and category page (default 10) and per feed (default 20).
per_page = 10
feed_limit = 20
# theme = "default"        # or a directory themes/<name>/; templates/ overrides files one by one
# highlight = true         # syntax highlighting of fenced code (CSS classes hl-*)

[author]
name = "Your Name"
# url = "https://example.org/"          # defaults to base_url
# note = "One line about you."
# me = ["https://mastodon.social/@you"] # rel="me" profile links

[[menu]]
name = "About"
url = "/about/"

# The comment service (causerie-comments). Remove this table to build
# without comments.
[comments]
url = "http://127.0.0.1:8787"
# Comments on posts without a `comments` key: "open" or "closed".
default = "open"
# Close comments this many days after a post's date (0 = never).
close_after_days = 0
"#;

const HELLO: &str = r#"+++
title = "Hello, world"
date = 2026-01-01
tags = ["meta"]
+++

This is the first post of a new [Causerie](https://github.com/causerie) blog.
Posts live in `content/posts/`, one markdown file each (or a directory with
an `index.md` and its images beside it).

<!-- more -->

```rust
fn main() {
    println!("Hello, world!");
}
```

Write a new post with `causerie new "Title"`, preview with `causerie serve`,
publish with `causerie build`.
"#;

const ABOUT: &str = r#"+++
title = "About"
+++

Who writes here, and why.
"#;

const GITIGNORE: &str = "/public/\n/.causerie/\n";

/// Writes the scaffold into `dir` (created if needed; must not hold a site).
pub fn run(dir: &Path) -> Result<()> {
    if dir.join(crate::config::FILE).exists() {
        return Err(Error::Other(format!(
            "{} already holds a site (causerie.toml exists)",
            dir.display()
        )));
    }
    let files: [(&str, &str); 5] = [
        ("causerie.toml", CONFIG),
        ("content/posts/hello-world.md", HELLO),
        ("content/about.md", ABOUT),
        (".gitignore", GITIGNORE),
        ("static/.gitkeep", ""),
    ];
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        if path.exists() {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).map_err(|e| Error::io(&templates, e))?;
    let readme = templates.join("README.md");
    if !readme.exists() {
        std::fs::write(
            &readme,
            "Put a file here with the name of a theme template (`post.html`, `partials/hcard.html`, …)\nto override that one file of the theme.\n",
        )
        .map_err(|e| Error::io(&readme, e))?;
    }
    Ok(())
}
