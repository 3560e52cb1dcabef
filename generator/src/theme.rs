//! Themes: templates, static files and strings, looked up in
//! `themes/<name>/` of the site, else (for `default`) in the copy of
//! `themes/default/` built into the binary, so `causerie init` sites build
//! with no theme files of their own. The site's `templates/` overrides the
//! theme's templates one file at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, find_key_line};
use crate::content::rel_path;
use crate::error::Diagnostic;
use crate::i18n::Strings;

macro_rules! embed {
    ($($p:literal),* $(,)?) => {
        &[$(($p, include_bytes!(concat!("../../themes/default/", $p)) as &[u8])),*]
    };
}

/// The default theme, compiled in.
pub const DEFAULT: &[(&str, &[u8])] = embed!(
    "templates/base.html",
    "templates/index.html",
    "templates/post.html",
    "templates/page.html",
    "templates/terms.html",
    "templates/term.html",
    "templates/404.html",
    "templates/alias.html",
    "templates/partials/post-item.html",
    "templates/partials/pagination.html",
    "templates/partials/conversation.html",
    "templates/partials/conversation-item.html",
    "templates/partials/conversation-face.html",
    "templates/partials/hcard.html",
    "templates/partials/sign-in.html",
    "static/style.css",
    "static/causerie.js",
    "i18n/en.toml",
    "i18n/fa.toml",
    "i18n/de.toml",
    "i18n/ar.toml",
);

/// Where a theme file comes from.
#[derive(Debug, Clone)]
pub enum FileSource {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

/// A template with the path it was read from (for messages).
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub text: String,
    pub origin: String,
}

/// The theme in effect, with the site's overrides applied.
#[derive(Debug, Clone)]
pub struct Theme {
    pub templates: Vec<Template>,
    /// Static files: output path → source.
    pub static_files: BTreeMap<String, FileSource>,
    pub strings: Strings,
}

fn read_dir_files(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| (rel_path(dir, e.path()), e.into_path()))
        .collect()
}

fn is_template(name: &str) -> bool {
    name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".txt")
}

/// Loads the theme named in `config` for the site at `root`.
pub fn load(root: &Path, config: &Config, config_text: &str) -> Result<Theme, Vec<Diagnostic>> {
    let dir = root.join("themes").join(&config.theme);
    let mut files: BTreeMap<String, FileSource> = BTreeMap::new();
    let origin_prefix;
    if dir.is_dir() {
        origin_prefix = format!("themes/{}/", config.theme);
        for (rel, p) in read_dir_files(&dir) {
            files.insert(rel, FileSource::Disk(p));
        }
    } else if config.theme == "default" {
        origin_prefix = "(built-in theme)/".to_string();
        for (rel, bytes) in DEFAULT {
            files.insert(rel.to_string(), FileSource::Embedded(bytes));
        }
    } else {
        return Err(vec![Diagnostic::new(
            crate::config::FILE,
            find_key_line(config_text, "theme"),
            format!("theme: no directory themes/{}/", config.theme),
        )]);
    }
    let mut errors = Vec::new();
    let read = |src: &FileSource| -> Result<String, String> {
        match src {
            FileSource::Embedded(b) => Ok(String::from_utf8_lossy(b).into_owned()),
            FileSource::Disk(p) => std::fs::read_to_string(p).map_err(|e| e.to_string()),
        }
    };
    let mut templates: BTreeMap<String, Template> = BTreeMap::new();
    let mut static_files = BTreeMap::new();
    let mut i18n: BTreeMap<String, String> = BTreeMap::new();
    for (rel, src) in &files {
        if let Some(name) = rel.strip_prefix("templates/").filter(|n| is_template(n)) {
            match read(src) {
                Ok(text) => {
                    templates.insert(
                        name.to_string(),
                        Template {
                            name: name.to_string(),
                            text,
                            origin: format!("{origin_prefix}{rel}"),
                        },
                    );
                }
                Err(e) => errors.push(Diagnostic::new(format!("{origin_prefix}{rel}"), 0, e)),
            }
        } else if let Some(out) = rel.strip_prefix("static/") {
            static_files.insert(out.to_string(), src.clone());
        } else if let Some(lang) = rel
            .strip_prefix("i18n/")
            .and_then(|n| n.strip_suffix(".toml"))
        {
            match read(src) {
                Ok(text) => {
                    i18n.insert(lang.to_string(), text);
                }
                Err(e) => errors.push(Diagnostic::new(format!("{origin_prefix}{rel}"), 0, e)),
            }
        }
    }
    // The site's own templates win, file by file.
    for (rel, p) in read_dir_files(&root.join("templates"))
        .into_iter()
        .filter(|(r, _)| is_template(r))
    {
        match std::fs::read_to_string(&p) {
            Ok(text) => {
                templates.insert(
                    rel.clone(),
                    Template {
                        name: rel.clone(),
                        text,
                        origin: format!("templates/{rel}"),
                    },
                );
            }
            Err(e) => errors.push(Diagnostic::new(
                format!("templates/{rel}"),
                0,
                e.to_string(),
            )),
        }
    }
    // The site's own `i18n/<lang>.toml` add a language to the theme (or
    // replace one), so translating the built-in theme needs no copy of it.
    for (rel, p) in read_dir_files(&root.join("i18n")) {
        if let Some(lang) = rel.strip_suffix(".toml").filter(|l| !l.contains('/')) {
            match std::fs::read_to_string(&p) {
                Ok(text) => {
                    i18n.insert(lang.to_string(), text);
                }
                Err(e) => errors.push(Diagnostic::new(format!("i18n/{rel}"), 0, e.to_string())),
            }
        }
    }
    let strings = match Strings::load(&config.language, |name| i18n.get(name).cloned()) {
        Ok(s) => {
            if s.untranslated {
                // Not an error: the site builds, in English, and says so
                // instead of silently ignoring the language.
                eprintln!(
                    "warning: {}:{}: language = {:?}: the theme has strings only for {}, so the pages use English words. \
                     To add it, translate the theme's i18n/en.toml into i18n/{}.toml in the site (docs/reference.md, \"Languages\")",
                    crate::config::FILE,
                    find_key_line(config_text, "language"),
                    config.language,
                    i18n.keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    config.language,
                );
            }
            s
        }
        Err((name, msg)) => {
            errors.push(Diagnostic::new(
                format!("{origin_prefix}i18n/{name}.toml"),
                0,
                msg,
            ));
            Strings::default()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Theme {
        templates: templates.into_values().collect(),
        static_files,
        strings,
    })
}
