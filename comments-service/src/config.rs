//! The service's configuration: TOML file, then flags on top, validated once.
//!
//! Unknown keys are refused naming the key, so a typo never silently turns a
//! defence off. After [`Config::load`] nothing reads files or env for settings.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The redacting secret type of the configuration (OIDC client secrets).
pub use crate::sign_in_config::Secret;

/// How new comments are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Moderation {
    /// Publish at once.
    None,
    /// Hold a commenter's (or a source domain's) first item until one is approved.
    FirstTime,
    /// Hold everything.
    All,
}

/// The configuration file as written (see CONTRACT.md for the contract keys).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The public site the service belongs to. Required.
    pub site_url: Option<String>,
    /// This service's own public base URL (e.g. `https://blog.example/comments/`):
    /// links in mails, sign-in callbacks and the fediverse inbox are made
    /// from it. Needed behind a proxy path; else taken from the request.
    pub public_url: Option<String>,
    /// Fetch Webmention sources on private addresses (tests). Default false.
    #[serde(default)]
    pub allow_private_addresses: bool,
    /// `none`, `first-time` (default) or `all`.
    pub moderation: Option<Moderation>,
    /// Address to listen on. Default `127.0.0.1:8787`.
    pub listen: Option<String>,
    /// SQLite file. Default `comments.db`.
    pub db: Option<PathBuf>,
    /// `postgres://…`: use PostgreSQL instead of the SQLite file.
    pub database_url: Option<DatabaseUrl>,
    /// Token for `/admin` and for posting as the site's author. No default: admin is off.
    pub admin_token: Option<String>,
    /// Key for signing edit tokens; default: a random key kept in the database.
    pub secret: Option<String>,
    /// Minutes during which a commenter may edit or delete a comment. Default 15.
    pub edit_window_minutes: Option<u64>,
    /// Largest request body in bytes. Default 65536.
    pub max_body_bytes: Option<usize>,
    /// Allow images in comment markdown. Default false.
    #[serde(default)]
    pub allow_images: bool,
    /// Expose Webmention authors' photos in answers. Default false.
    #[serde(default)]
    pub expose_photos: bool,
    /// Peers whose `X-Forwarded-For` is believed (IPs). Default none.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Days to keep (anonymised) client addresses. Default 30.
    pub address_retention_days: Option<u64>,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub spam: SpamConfig,
    #[serde(default)]
    pub rebuild: RebuildConfig,
    /// `[webmention]`: receiver settings (see [`WebmentionConfig`]).
    #[serde(default)]
    pub webmention: WebmentionConfig,
    /// The site's language (BCP 47, as in `causerie.toml`), for mails and pages. Default `en`.
    pub language: Option<String>,
    /// `[mail]`: SMTP and the owner's address (see `mail_config`).
    #[serde(default)]
    pub mail: crate::mail_config::MailFileConfig,
    /// `[notify]`: the optional webhook.
    #[serde(default)]
    pub notify: crate::mail_config::NotifyFileConfig,
    /// `[sign_in]`: how readers may sign in (see `sign_in_config`).
    #[serde(default)]
    pub sign_in: crate::sign_in_config::SignInFileConfig,
    /// `[activitypub]`: the blog as a fediverse actor (see `activitypub_config`).
    #[serde(default)]
    pub activitypub: crate::activitypub_config::ActivityPubFileConfig,
}

/// The `[webmention]` table of the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebmentionConfig {
    /// Source domains (with their subdomains) whose mentions skip moderation.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Source domains (with their subdomains) refused with 403.
    #[serde(default)]
    pub block: Vec<String>,
    /// Webmentions and pingbacks accepted per source host per minute; 0 turns
    /// the limit off. Default 10.
    #[serde(default = "default_per_source")]
    pub per_source_per_minute: u32,
    /// Deadline for fetching one source, in seconds. Default 15.
    #[serde(default = "default_timeout")]
    pub fetch_timeout_secs: u64,
    /// Largest source read, in bytes (a larger one is not verified). Default 1 MiB.
    #[serde(default = "default_max_source")]
    pub max_source_bytes: usize,
}

fn default_per_source() -> u32 {
    10
}
fn default_timeout() -> u64 {
    15
}
fn default_max_source() -> usize {
    1024 * 1024
}

impl Default for WebmentionConfig {
    fn default() -> Self {
        WebmentionConfig {
            allow: Vec::new(),
            block: Vec::new(),
            per_source_per_minute: default_per_source(),
            fetch_timeout_secs: default_timeout(),
            max_source_bytes: default_max_source(),
        }
    }
}

/// `[limits]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// New comments per client address per minute; 0 turns it off. Default 5.
    pub comments_per_minute: Option<u32>,
}

/// `[spam]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpamConfig {
    /// Seconds between page load (`started`) and submit below which a post is refused. Default 3.
    pub min_submit_seconds: Option<u64>,
    /// More links than this in a body holds the comment. Default 3.
    pub max_links: Option<usize>,
    /// Words (case-insensitive) that hold a comment.
    #[serde(default)]
    pub blocklist: Vec<String>,
}

/// `[rebuild]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RebuildConfig {
    /// Shell command line run with `sh -c` after approved changes.
    pub command: Option<String>,
    /// URL that gets a `POST` after approved changes.
    pub webhook: Option<String>,
    /// Quiet time before a burst of changes triggers. Default 2000.
    pub debounce_ms: Option<u64>,
}

/// A PostgreSQL connection URL. It may hold a password, so it shows only as
/// `host:port/dbname` (Debug, Display, logs, errors): see [`DatabaseUrl::target`].
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(try_from = "String")]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Checks the scheme; the rest is the driver's to parse.
    pub fn new(url: &str) -> std::result::Result<DatabaseUrl, String> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err("database_url: must start with postgres:// or postgresql://".into());
        }
        Ok(DatabaseUrl(url.to_string()))
    }

    /// The URL itself, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `host:port/dbname`, safe to print (no user, password or options).
    pub fn target(&self) -> String {
        let Ok(u) = url::Url::parse(&self.0) else {
            return "(unparsable database_url)".into();
        };
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost");
        let port = u.port().unwrap_or(5432);
        let db = match u.path().trim_start_matches('/') {
            "" if !u.username().is_empty() => u.username().to_string(),
            "" => "postgres".to_string(),
            d => d.to_string(),
        };
        format!("{host}:{port}/{db}")
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        DatabaseUrl::new(&s)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.target())
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.target())
    }
}

/// Flags that override the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub db: Option<PathBuf>,
    pub database_url: Option<DatabaseUrl>,
    pub allow_private_addresses: bool,
    pub site_url: Option<String>,
}

/// The validated configuration the service runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub site_url: url::Url,
    /// This service's public base URL (`public_url`, else `[mail]
    /// public_url`); `None`: made from each request's `Host`.
    pub public_url: Option<url::Url>,
    /// `scheme://host[:port]` of `site_url`, for CORS and origin checks.
    pub site_origin: String,
    pub allow_private_addresses: bool,
    pub moderation: Moderation,
    pub listen: String,
    pub db: PathBuf,
    /// PostgreSQL instead of `db` when set.
    pub database_url: Option<DatabaseUrl>,
    pub admin_token: Option<String>,
    pub secret: Option<String>,
    pub edit_window_secs: i64,
    pub max_body_bytes: usize,
    pub allow_images: bool,
    pub expose_photos: bool,
    pub trusted_proxies: Vec<IpAddr>,
    pub address_retention_days: u64,
    pub comments_per_minute: u32,
    pub min_submit_ms: i64,
    pub max_links: usize,
    pub blocklist: Vec<String>,
    pub rebuild_command: Option<String>,
    pub rebuild_webhook: Option<url::Url>,
    pub debounce_ms: u64,
    pub webmention: WebmentionConfig,
    pub language: String,
    /// `None`: no mail is ever sent.
    pub mail: Option<crate::mail_config::MailSettings>,
    pub notify_webhook: Option<url::Url>,
    pub sign_in: crate::sign_in_config::SignInConfig,
    /// `None`: no actor, no inbox.
    pub activitypub: Option<crate::activitypub_config::ActivityPubSettings>,
}

impl Config {
    /// Reads `path` (if any), applies `flags`, validates.
    pub fn load(path: Option<&Path>, flags: &Overrides) -> Result<Config> {
        let file = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| Error::Io {
                    path: p.display().to_string(),
                    source,
                })?;
                Self::parse_file(&text)
                    .map_err(|e| Error::Config(format!("{}: {e}", p.display())))?
            }
            None => Self::parse_file("").map_err(Error::Config)?,
        };
        Self::from_file(file, flags).map_err(|e| match path {
            Some(p) => Error::Config(format!("{}: {e}", p.display())),
            None => Error::Config(e),
        })
    }

    /// Parses the TOML text; unknown keys are errors naming the key and line.
    pub fn parse_file(text: &str) -> std::result::Result<FileConfig, String> {
        toml::from_str::<FileConfig>(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().trim().to_string();
            match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            }
        })
    }

    fn from_file(f: FileConfig, flags: &Overrides) -> std::result::Result<Config, String> {
        let raw = flags
            .site_url
            .clone()
            .or(f.site_url)
            .ok_or("site_url: required (the public URL of the site)")?;
        let site_url = url::Url::parse(&raw).map_err(|e| format!("site_url: {e}"))?;
        if !matches!(site_url.scheme(), "http" | "https") || site_url.host_str().is_none() {
            return Err("site_url: must be an http(s) URL".into());
        }
        let site_origin = site_url.origin().ascii_serialization();
        let trusted_proxies = f
            .trusted_proxies
            .iter()
            .map(|s| {
                s.parse::<IpAddr>()
                    .map_err(|_| format!("trusted_proxies: {s:?} is not an IP address"))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let rebuild_webhook = match f.rebuild.webhook {
            Some(w) => {
                let u = url::Url::parse(&w).map_err(|e| format!("rebuild.webhook: {e}"))?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err("rebuild.webhook: must be an http(s) URL".into());
                }
                Some(u)
            }
            None => None,
        };
        let secret = f.secret.filter(|s| !s.is_empty());
        if secret.as_ref().is_some_and(|s| s.len() < 16) {
            return Err("secret: use at least 16 characters".into());
        }
        let admin_token = f.admin_token.filter(|s| !s.is_empty());
        if admin_token.as_ref().is_some_and(|s| s.len() < 12) {
            return Err("admin_token: use at least 12 characters".into());
        }
        let notify_webhook = crate::mail_config::webhook(&f.notify)?;
        let mut mail = crate::mail_config::mail_settings(f.mail)?;
        let sign_in = crate::sign_in_config::sign_in_settings(f.sign_in, mail.is_some())?;
        let language = crate::mail_config::language(f.language)?;
        let mut activitypub = crate::activitypub_config::settings(f.activitypub, &site_url)?;
        let public_url = crate::public_url::resolve(
            f.public_url.as_deref(),
            mail.as_mut(),
            activitypub.as_mut(),
        )?;
        Ok(Config {
            public_url,
            sign_in,
            activitypub,
            language,
            mail,
            notify_webhook,
            site_url,
            site_origin,
            allow_private_addresses: f.allow_private_addresses || flags.allow_private_addresses,
            moderation: f.moderation.unwrap_or(Moderation::FirstTime),
            listen: flags
                .listen
                .clone()
                .or(f.listen)
                .unwrap_or_else(|| "127.0.0.1:8787".into()),
            db: flags
                .db
                .clone()
                .or(f.db)
                .unwrap_or_else(|| "comments.db".into()),
            database_url: flags.database_url.clone().or(f.database_url),
            admin_token,
            secret,
            edit_window_secs: (f.edit_window_minutes.unwrap_or(15) * 60) as i64,
            max_body_bytes: f.max_body_bytes.unwrap_or(64 * 1024),
            allow_images: f.allow_images,
            expose_photos: f.expose_photos,
            trusted_proxies,
            address_retention_days: f.address_retention_days.unwrap_or(30),
            comments_per_minute: f.limits.comments_per_minute.unwrap_or(5),
            min_submit_ms: (f.spam.min_submit_seconds.unwrap_or(3) * 1000) as i64,
            max_links: f.spam.max_links.unwrap_or(3),
            blocklist: f
                .spam
                .blocklist
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
            rebuild_command: f.rebuild.command.filter(|c| !c.trim().is_empty()),
            rebuild_webhook,
            debounce_ms: f.rebuild.debounce_ms.unwrap_or(2000),
            webmention: f.webmention,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err = Config::parse_file("site_url = \"http://x\"\nmoderaton = \"all\"\n").unwrap_err();
        assert!(err.contains("moderaton"), "{err}");
        assert!(err.starts_with("line 2"), "{err}");
    }

    #[test]
    fn unknown_key_in_a_table_is_named() {
        let err =
            Config::parse_file("site_url = \"http://x\"\n[limits]\nper_minute = 3\n").unwrap_err();
        assert!(err.contains("per_minute"), "{err}");
    }

    #[test]
    fn flags_override_the_file() {
        let f = Config::parse_file("site_url = \"http://x.example\"\nlisten = \"127.0.0.1:1\"\n")
            .unwrap();
        let flags = Overrides {
            listen: Some("127.0.0.1:0".into()),
            ..Default::default()
        };
        let c = Config::from_file(f, &flags).unwrap();
        assert_eq!(c.listen, "127.0.0.1:0");
        assert_eq!(c.site_origin, "http://x.example");
        assert_eq!(c.moderation, Moderation::FirstTime);
    }

    #[test]
    fn database_url_flag_overrides_the_file_and_never_shows_its_password() {
        let f = Config::parse_file(
            "site_url = \"http://x.example\"\ndatabase_url = \"postgres://u:filepw@db.example:5433/one\"\n",
        )
        .unwrap();
        let flags = Overrides {
            database_url: Some(
                DatabaseUrl::new("postgres://u:s3cret-pw@127.0.0.1:5432/two").unwrap(),
            ),
            ..Default::default()
        };
        let c = Config::from_file(f, &flags).unwrap();
        let url = c.database_url.clone().unwrap();
        assert_eq!(url.expose(), "postgres://u:s3cret-pw@127.0.0.1:5432/two");
        let shown = format!("{c:?} {url}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("127.0.0.1:5432/two"), "{shown}");
        let e = Config::parse_file("site_url = \"http://x\"\ndatabase_url = \"mysql://x\"\n")
            .unwrap_err();
        assert!(e.contains("database_url"), "{e}");
    }

    #[test]
    fn site_url_is_required() {
        let f = Config::parse_file("").unwrap();
        let e = Config::from_file(f, &Overrides::default()).unwrap_err();
        assert!(e.starts_with("site_url"), "{e}");
    }
}
