//! `causerie new "Title"`: a new post with its front matter filled in.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::slug;

/// Writes `content/posts/<slug>.md` under `root` and returns its path.
pub fn run(root: &Path, title: &str, now: jiff::Timestamp) -> Result<PathBuf> {
    // The file name is the slug, made as the build will make it (a site
    // in a language with `slugify = "safe"` keeps its letters).
    // Only inside a site: a mistyped --root must not grow a content/ tree.
    let config_path = root.join(config::FILE);
    let text = std::fs::read_to_string(&config_path)
        .map_err(|e| Error::Content(vec![config::unreadable(root, &config_path, &e)]))?;
    let mode = Config::parse(config::FILE, &text)
        .map(|c| c.slug_mode())
        .unwrap_or_default();
    let slug = slug::make(title, mode);
    if slug.is_empty() {
        return Err(Error::Other(format!(
            "the title {title:?} has no letters or digits to make a file name from"
        )));
    }
    let dir = root.join("content").join("posts");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let path = dir.join(format!("{slug}.md"));
    if path.exists() || dir.join(&slug).join("index.md").exists() {
        return Err(Error::Other(format!("{} already exists", path.display())));
    }
    let title_toml = toml::Value::String(title.to_string()).to_string();
    let date = now.strftime("%Y-%m-%dT%H:%M:%SZ");
    let text = format!(
        "+++\ntitle = {title_toml}\ndate = \"{date}\"\ndraft = true\ntags = []\n+++\n\nWrite here. Set `draft = false` (or delete the line) to publish.\n"
    );
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
