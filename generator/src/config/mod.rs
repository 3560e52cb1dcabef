//! `causerie.toml` → a validated [`Config`].
//!
//! Unknown keys are errors (named, with their line) so a typo never passes
//! silently. Everything after loading reads settings from this struct only.

pub mod activitypub;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Diagnostic;

/// The site's configuration file name, at the site root.
pub const FILE: &str = "causerie.toml";

/// Why the configuration could not be read, naming the path as given: a
/// mistyped `--root` must say which directory was looked in, and a
/// directory that is not a site must say how to make one.
pub fn unreadable(root: &Path, config_path: &Path, e: &std::io::Error) -> Diagnostic {
    if !root.is_dir() {
        return Diagnostic::new(
            root.display().to_string(),
            0,
            "no such directory (--root names the site directory, the one holding causerie.toml)",
        );
    }
    let shown = if root == Path::new(".") {
        FILE.to_string()
    } else {
        config_path.display().to_string()
    };
    let message = if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "not found: {} is not a Causerie site (make one with `causerie init DIR`, or pass --root DIR)",
            root.display()
        )
    } else {
        format!("cannot read the site configuration: {e}")
    };
    Diagnostic::new(shown, 0, message)
}

/// The whole site configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Public URL of the site, e.g. `https://example.org/blog/` (required).
    pub base_url: String,
    /// Site title (required).
    pub title: String,
    /// One-line description for feeds and meta tags. Default: empty.
    #[serde(default)]
    pub description: String,
    /// BCP 47 language tag; sets `lang`, `dir` and the theme strings. Default `en`.
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme name: `themes/<name>/` in the site, else the built-in `default`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Posts per index, tag and category page. Default 10.
    #[serde(default = "default_per_page")]
    pub per_page: usize,
    /// Entries in each feed (newest first). Default 20.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Highlight fenced code blocks (CSS classes `hl-*`). Default true.
    #[serde(default = "default_true")]
    pub highlight: bool,
    /// How titles, file names and tags become URL segments: `"on"`
    /// (transliterated ASCII) or `"safe"` (the text's own letters). Default:
    /// see [`Config::slug_mode`].
    #[serde(default)]
    pub slugify: Option<Slugify>,
    /// The site's author: the h-card of every page.
    #[serde(default)]
    pub author: Author,
    /// Navigation links in the header, in order.
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    /// The comment service; absent = the site builds without comments.
    pub comments: Option<Comments>,
    /// The blog as a fediverse actor; absent = not published.
    pub activitypub: Option<activitypub::ActivityPub>,
    /// Free-form values handed to templates as `config.extra`.
    #[serde(default)]
    pub extra: BTreeMap<String, toml::Value>,
}

/// `[author]`: who writes the site.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    /// Display name. Default: the site title.
    #[serde(default)]
    pub name: String,
    /// Home page of the author. Default: the site's `base_url`.
    #[serde(default)]
    pub url: String,
    /// Public e-mail address (shown in the h-card when set).
    #[serde(default)]
    pub email: String,
    /// A short bio (h-card `p-note`).
    #[serde(default)]
    pub note: String,
    /// Profiles linked with `rel="me"` (IndieAuth, Mastodon verification).
    #[serde(default)]
    pub me: Vec<String>,
}

/// `[[menu]]`: one header link.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    /// Site path such as `/about/`, or a full URL.
    pub url: String,
}

/// Whether a post takes new comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentsState {
    Open,
    Closed,
}

impl CommentsState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentsState::Open => "open",
            CommentsState::Closed => "closed",
        }
    }
}

/// `[comments]`: the comment service this site talks to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comments {
    /// Public base URL of `causerie-comments`, e.g. `https://comments.example.org`.
    pub url: String,
    /// Default for posts without a `comments` key: `open` or `closed`. Default `open`.
    #[serde(default = "default_open")]
    pub default: CommentsState,
    /// Close comments this many days after a post's `date`; 0 = never. Default 0.
    #[serde(default)]
    pub close_after_days: u32,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_per_page() -> usize {
    10
}
fn default_feed_limit() -> usize {
    20
}
fn default_true() -> bool {
    true
}
fn default_open() -> CommentsState {
    CommentsState::Open
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Rewrites serde's "unknown field `x`, expected one of …" into a shorter
/// message that names the key.
pub fn friendly_serde_message(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    if let Some(rest) = first.strip_prefix("unknown field `")
        && let Some(end) = rest.find('`')
    {
        let key = &rest[..end];
        let expected = rest[end + 1..]
            .trim_start_matches(',')
            .trim()
            .trim_start_matches("expected ")
            .to_string();
        return if expected.is_empty() {
            format!("unknown key `{key}`")
        } else {
            format!("unknown key `{key}` (expected {expected})")
        };
    }
    first.to_string()
}

impl Config {
    /// Parses and validates `text` (the contents of `path`).
    pub fn parse(path: &str, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let mut config: Config = match toml::from_str(text) {
            Ok(c) => c,
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
                let mut msg = friendly_serde_message(e.message());
                if let Some(table) = table_of_line(text, line)
                    && msg.starts_with("unknown key")
                {
                    msg = format!("{msg} in [{table}]");
                }
                return Err(vec![Diagnostic::new(path, line, msg)]);
            }
        };
        let mut errors = Vec::new();
        let key_line = |key: &str| find_key_line(text, key);
        match url_parts(&config.base_url) {
            Some(_) => {
                if !config.base_url.ends_with('/') {
                    config.base_url.push('/');
                }
            }
            None => errors.push(Diagnostic::new(
                path,
                key_line("base_url"),
                format!(
                    "base_url: expected an http(s) URL, found {:?}",
                    config.base_url
                ),
            )),
        }
        if config.title.trim().is_empty() {
            errors.push(Diagnostic::new(
                path,
                key_line("title"),
                "title: must not be empty",
            ));
        }
        if config.per_page == 0 {
            errors.push(Diagnostic::new(
                path,
                key_line("per_page"),
                "per_page: must be at least 1",
            ));
        }
        if !valid_language(&config.language) {
            errors.push(Diagnostic::new(
                path,
                key_line("language"),
                format!(
                    "language: expected a BCP 47 tag such as \"en\" or \"fa\", found {:?}",
                    config.language
                ),
            ));
        }
        if let Some(c) = &mut config.comments {
            if url_parts(&c.url).is_none() {
                errors.push(Diagnostic::new(
                    path,
                    key_line("url"),
                    format!("comments.url: expected an http(s) URL, found {:?}", c.url),
                ));
            }
            while c.url.ends_with('/') {
                c.url.pop();
            }
        }
        activitypub::validate(&config, path, &key_line, &mut errors);
        if config.author.name.is_empty() {
            config.author.name = config.title.clone();
        }
        if config.author.url.is_empty() {
            config.author.url = config.base_url.clone();
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Overrides `base_url` (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        if url_parts(url).is_none() {
            return Err(format!(
                "--base-url: expected an http(s) URL, found {url:?}"
            ));
        }
        let old = self.base_url.clone();
        self.base_url = url.to_string();
        if !self.base_url.ends_with('/') {
            self.base_url.push('/');
        }
        if self.author.url == old {
            self.author.url = self.base_url.clone();
        }
        Ok(())
    }

    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> &str {
        url_parts(&self.base_url).map(|(_, p)| p).unwrap_or("/")
    }

    /// Absolute URL of a site path (`/posts/x/` → `https://…/posts/x/`).
    pub fn abs_url(&self, path: &str) -> String {
        let (origin, _) = url_parts(&self.base_url).unwrap_or(("", "/"));
        format!("{origin}{}", self.url_for(path))
    }

    /// Root-relative href of a site path, honouring a base URL with a path.
    pub fn url_for(&self, path: &str) -> String {
        let base = self.base_path();
        format!("{}{}", base, path.trim_start_matches('/'))
    }

    /// Text direction for the configured language.
    pub fn dir(&self) -> &'static str {
        dir_of(&self.language)
    }

    /// `slugify` as set, else `safe` for languages not written in Latin
    /// letters (transliteration turns `سلام دنیا` into `slm-dny`, which
    /// readers of the language cannot read) and `on` for the others.
    pub fn slug_mode(&self) -> Slugify {
        self.slugify.unwrap_or_else(|| {
            let primary = self.language.split(['-', '_']).next().unwrap_or("");
            if NON_LATIN.contains(&primary.to_ascii_lowercase().as_str()) {
                Slugify::Safe
            } else {
                Slugify::On
            }
        })
    }
}

/// `slugify`: how text becomes a URL segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slugify {
    /// Lowercase ASCII, transliterated (`Wörld` → `world`), as Zola's `on`.
    #[default]
    On,
    /// The text's own letters, lowercased, with spaces and characters that
    /// are unsafe in paths turned into `-` (Zola's `safe`).
    Safe,
}

/// Primary language subtags written in scripts other than Latin.
const NON_LATIN: &[&str] = &[
    "fa", "ar", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug", "ru", "uk", "be", "bg", "mk",
    "sr", "kk", "ky", "mn", "tg", "el", "hy", "ka", "am", "ti", "hi", "mr", "ne", "bn", "pa", "gu",
    "or", "ta", "te", "kn", "ml", "si", "th", "lo", "km", "my", "bo", "zh", "ja", "ko",
];

/// `rtl` for right-to-left languages (Persian, Arabic, Hebrew, …), else `ltr`.
pub fn dir_of(language: &str) -> &'static str {
    {
        let primary = language.split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "fa" | "ar" | "he" | "ur" | "ps" | "yi" | "ckb" | "dv" | "sd" | "ug" => "rtl",
            _ => "ltr",
        }
    }
}

/// Splits `https://host[:port]/path/` into origin and path (`/` when empty).
fn url_parts(url: &str) -> Option<(&str, &str)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let scheme_len = url.len() - rest.len();
    let host_end = rest.find('/').unwrap_or(rest.len());
    if host_end == 0 || rest[..host_end].contains([' ', '?', '#']) {
        return None;
    }
    let origin = &url[..scheme_len + host_end];
    let path = &rest[host_end..];
    Some((origin, if path.is_empty() { "/" } else { path }))
}

pub fn valid_language(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .split('-')
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && tag
            .split('-')
            .next()
            .is_some_and(|p| (2..=3).contains(&p.len()))
}

/// Line of the first `key = …` in a TOML text (0 when absent).
pub fn find_key_line(text: &str, key: &str) -> usize {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(key) {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with(':') {
                return i + 1;
            }
        }
    }
    0
}

/// The `[table]` header in force at `line`, if any.
fn table_of_line(text: &str, line: usize) -> Option<String> {
    let mut table = None;
    for (i, l) in text.lines().enumerate() {
        if i + 1 > line {
            break;
        }
        let t = l.trim();
        if t.starts_with('[') && t.ends_with(']') {
            table = Some(t.trim_matches(['[', ']']).trim().to_string());
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "base_url = \"https://x.org\"\ntitle = \"T\"\ntitel = \"oops\"\n";
        let err = Config::parse("causerie.toml", text).unwrap_err();
        assert_eq!(err[0].line, 3);
        assert!(
            err[0].message.starts_with("unknown key `titel`"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn unknown_key_in_table_names_the_table() {
        let text = "base_url = \"https://x.org\"\ntitle = \"T\"\n[comments]\nurl = \"http://127.0.0.1:8787\"\nclose_after = 3\n";
        let err = Config::parse("causerie.toml", text).unwrap_err();
        assert_eq!(err[0].line, 5);
        assert!(
            err[0].message.contains("`close_after`") && err[0].message.ends_with("in [comments]"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn base_path_and_urls() {
        let c = Config::parse("c", "base_url = \"https://x.org/blog\"\ntitle = \"T\"\n").unwrap();
        assert_eq!(c.base_path(), "/blog/");
        assert_eq!(c.url_for("/posts/a/"), "/blog/posts/a/");
        assert_eq!(c.abs_url("/posts/a/"), "https://x.org/blog/posts/a/");
    }

    #[test]
    fn direction_follows_language() {
        let mut c = Config::parse(
            "c",
            "base_url = \"https://x.org\"\ntitle = \"T\"\nlanguage = \"fa\"\n",
        )
        .unwrap();
        assert_eq!(c.dir(), "rtl");
        c.language = "en-GB".into();
        assert_eq!(c.dir(), "ltr");
    }
}
