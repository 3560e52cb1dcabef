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

/// The CI workflow: build on push and whenever the comment service asks
/// (docs/deploy.md), publish to GitHub Pages.
const WORKFLOW: &str = r#"# Build the site with Causerie and publish it on GitHub Pages.
#
# It runs on every push to main, by hand (Actions tab, "Run workflow"), and
# when the comment service asks for a rebuild after approved comments or
# Webmentions: give causerie-comments this [rebuild] command (a token with
# the "Contents: write" permission on this repository in GITHUB_TOKEN of the
# service's environment; details in Causerie's docs/deploy.md):
#
#   command = "curl -fsS -X POST -H 'Accept: application/vnd.github+json' -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/repos/OWNER/REPO/dispatches -d '{\"event_type\":\"causerie-comments\"}'"
#
# Turn Pages on once: Settings → Pages → Source: "GitHub Actions".
name: Build and publish

on:
  push:
    branches: [main]
  # Posts dated in the future are published by the first build after their
  # date: rebuild every hour so they appear on time without a push. (GitHub
  # pauses scheduled runs in a repository without activity for 60 days.)
  schedule:
    - cron: "17 * * * *"
  workflow_dispatch:
  repository_dispatch:
    # Sent by the comment service's rebuild trigger.
    types: [causerie-comments]

permissions:
  contents: read
  pages: write
  id-token: write

# One build at a time; a burst of comments queues one more build, not many.
concurrency:
  group: causerie-pages
  cancel-in-progress: false

env:
  # Where `cargo install` takes Causerie from, and which branch or tag: the
  # newest commit of it is installed, and cached under its commit id, so a
  # new Causerie release is picked up by the next run.
  CAUSERIE_GIT: https://github.com/causerie/causerie
  CAUSERIE_REF: main

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4

      # The commit of Causerie to run: the cache key changes with it, so the
      # binary is rebuilt once per new version and reused until the next.
      - name: Causerie version
        id: version
        run: echo "rev=$(git ls-remote "$CAUSERIE_GIT" "$CAUSERIE_REF" | cut -f1 | head -n1)" >> "$GITHUB_OUTPUT"
      - uses: actions/cache@v4
        id: bin
        with:
          path: ~/.cargo/bin/causerie
          key: causerie-bin-${{ runner.os }}-${{ steps.version.outputs.rev }}
      - name: Install Causerie
        if: steps.bin.outputs.cache-hit != 'true'
        run: cargo install --locked --force --git "$CAUSERIE_GIT" --rev "${{ steps.version.outputs.rev }}" causerie

      # .causerie/ holds the comment cache: with it, a build downloads only
      # the comments that changed since the last run (export ?since=).
      - uses: actions/cache@v4
        with:
          path: .causerie
          key: causerie-conversation-${{ github.run_id }}
          restore-keys: causerie-conversation-

      - name: Build
        run: causerie build

      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// Writes the scaffold into `dir` (created if needed; must not hold a site).
pub fn run(dir: &Path) -> Result<()> {
    if dir.join(crate::config::FILE).exists() {
        return Err(Error::Other(format!(
            "{} already holds a site (causerie.toml exists)",
            dir.display()
        )));
    }
    let files: [(&str, &str); 6] = [
        ("causerie.toml", CONFIG),
        ("content/posts/hello-world.md", HELLO),
        ("content/about.md", ABOUT),
        (".gitignore", GITIGNORE),
        ("static/.gitkeep", ""),
        (".github/workflows/causerie.yml", WORKFLOW),
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_workflow_is_valid_yaml_with_the_three_triggers() {
        let v: serde_norway::Value = serde_norway::from_str(super::WORKFLOW).unwrap();
        let on = &v["on"];
        assert!(on.get("push").is_some() && on.get("workflow_dispatch").is_some());
        assert_eq!(
            on["repository_dispatch"]["types"][0].as_str(),
            Some("causerie-comments")
        );
        assert_eq!(
            v["jobs"]["build"]["steps"][5]["run"].as_str(),
            Some("causerie build")
        );
    }

    #[test]
    fn the_binary_cache_follows_the_version_and_a_schedule_publishes_future_posts() {
        let v: serde_norway::Value = serde_norway::from_str(super::WORKFLOW).unwrap();
        let cron = v["on"]["schedule"][0]["cron"].as_str().unwrap();
        assert_eq!(cron.split_whitespace().count(), 5, "{cron}");
        let steps = &v["jobs"]["build"]["steps"];
        assert_eq!(steps[1]["id"].as_str(), Some("version"));
        let key = steps[2]["with"]["key"].as_str().unwrap();
        assert!(key.contains("steps.version.outputs.rev"), "{key}");
        let install = steps[3]["run"].as_str().unwrap();
        assert!(
            install.contains("--rev \"${{ steps.version.outputs.rev }}\""),
            "{install}"
        );
    }
}
