//! `causerie-comments import FORMAT FILE`: read, plan, write, one summary line.
//!
//! The file is read completely before the store is opened, so a malformed
//! export leaves the database untouched (not even migrated); `--dry-run`
//! never opens it for writing at all.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::matching::{self, ManifestSource, Matcher};
use super::xml::XmlReader;
use super::{Context, Conversation, Format, Summary};
use crate::config::{Config, DatabaseUrl, Overrides};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::markdown::Renderer;
use crate::store::{Store, import_preview};
use crate::tokens::Keys;

/// Threads named on stderr when they match no page (the rest are counted).
const UNMATCHED_SHOWN: usize = 5;

/// `import` arguments (`--config` and `--db` are the service's global flags).
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The export's format.
    #[arg(value_enum)]
    pub format: Format,
    /// The export file (Isso: its SQLite database).
    pub file: PathBuf,
    /// The imported site's root: its pages manifest (public/causerie-pages.json)
    /// maps old URLs to the new pages.
    #[arg(long, value_name = "DIR", conflicts_with = "pages")]
    pub site: Option<PathBuf>,
    /// A pages manifest file (causerie-pages.json) instead of --site.
    #[arg(long, value_name = "FILE")]
    pub pages: Option<PathBuf>,
    /// Mark comments by this author name (or Disqus username) as the owner's.
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Print the summary without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs an import; prints the summary line on stdout.
pub fn run(
    args: &ImportArgs,
    config: Option<&Path>,
    db: Option<PathBuf>,
    database_url: Option<DatabaseUrl>,
) -> Result<()> {
    let cfg = load_config(config, db, database_url)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            path: "tokio runtime".into(),
            source,
        })?;
    // The file first: a broken export is the error to report, whatever
    // else is missing.
    let conv = read(args)?;
    let manifest = manifest(args, &cfg, config.is_some(), &rt)?;
    let matcher = manifest.as_ref().map(Matcher::new);
    let renderer = Renderer::new(cfg.allow_images);
    let owner = args.owner.as_deref();
    let format = args.format.as_str();
    let (summary, plan) = if args.dry_run {
        // Keys only key trusted commenters, which a dry run never writes.
        let keys = Keys::new(cfg.secret.as_deref().unwrap_or("dry run").as_bytes());
        let cx = Context {
            renderer: &renderer,
            keys: &keys,
            matcher: matcher.as_ref(),
            owner,
        };
        let plan = super::plan(conv, &cx);
        let c = match &cfg.database_url {
            Some(url) => rt.block_on(async {
                let store = Store::connect(url.expose(), cfg.debounce_ms).await?;
                store.import_preview(format, &plan.rows).await
            })?,
            None => import_preview(&cfg.db, format, &plan.rows)?,
        };
        (summary(c), plan)
    } else {
        let store = match &cfg.database_url {
            Some(url) => rt.block_on(Store::connect(url.expose(), cfg.debounce_ms))?,
            None => Store::open_beside_service(&cfg.db, cfg.debounce_ms)?,
        };
        let keys = match &cfg.secret {
            Some(s) => Keys::new(s.as_bytes()),
            None => Keys::new(store.stored_secret()),
        };
        let cx = Context {
            renderer: &renderer,
            keys: &keys,
            matcher: matcher.as_ref(),
            owner,
        };
        let mut plan = super::plan(conv, &cx);
        let rows = std::mem::take(&mut plan.rows);
        let spinner = bar(None, "writing");
        let c = rt.block_on(store.import(format, rows))?;
        spinner.finish_and_clear();
        (summary(c), plan)
    };
    for (url, n) in plan.unmatched.iter().take(UNMATCHED_SHOWN) {
        eprintln!("no page for the thread of {url} ({n} items): not imported");
    }
    if plan.unmatched.len() > UNMATCHED_SHOWN {
        eprintln!(
            "... and {} more threads with no page",
            plan.unmatched.len() - UNMATCHED_SHOWN
        );
    }
    println!("{}", summary.line(&plan, args.dry_run));
    Ok(())
}

fn summary(c: crate::store::ImportCounts) -> Summary {
    Summary {
        comments: c.comments,
        held: c.held,
        mentions: c.mentions,
        already: c.already,
    }
}

/// The service's config; without a file, defaults with a stand-in site URL
/// (the import needs none but the database).
fn load_config(
    config: Option<&Path>,
    db: Option<PathBuf>,
    database_url: Option<DatabaseUrl>,
) -> Result<Config> {
    let flags = Overrides {
        db,
        database_url,
        site_url: config.is_none().then(|| "http://localhost/".to_string()),
        ..Default::default()
    };
    Config::load(config, &flags)
}

/// `--pages`, `--site`, or else the configured site's published manifest.
fn manifest(
    args: &ImportArgs,
    cfg: &Config,
    configured: bool,
    rt: &tokio::runtime::Runtime,
) -> Result<Option<Manifest>> {
    if let Some(p) = &args.pages {
        return matching::load(&ManifestSource::File(p.clone())).map(Some);
    }
    if let Some(d) = &args.site {
        return matching::load(&ManifestSource::Site(d.clone())).map(Some);
    }
    if !configured {
        return Ok(None);
    }
    let Ok(client) = crate::fetch::Fetcher::new(&crate::fetch::FetchConfig {
        allow_private_addresses: true,
        ..crate::fetch::default_config()
    }) else {
        return Ok(None);
    };
    let m = rt.block_on(crate::manifest::fetch(&client, &cfg.site_url));
    if m.is_none() {
        eprintln!(
            "no pages manifest at {}: threads keep their old paths (give --site DIR or --pages FILE)",
            cfg.site_url
        );
    }
    Ok(m)
}

/// Parses the whole export, with a progress bar on a terminal.
fn read(args: &ImportArgs) -> Result<Conversation> {
    let len = std::fs::metadata(&args.file).map(|m| m.len()).ok();
    let pb = bar(len, "reading");
    let shown = pb.clone();
    let mut progress = move |at: u64| shown.set_position(at);
    let file = &args.file;
    let conv = match args.format {
        Format::Isso => super::isso::read(file),
        Format::Wordpress => super::wxr::read(XmlReader::open(file)?, &mut progress),
        Format::Blogger => super::blogger::read(XmlReader::open(file)?, &mut progress),
        Format::Disqus => super::disqus::read(XmlReader::open(file)?, &mut progress),
    };
    pb.finish_and_clear();
    conv
}

/// A progress bar (bytes) or spinner, drawn only when stderr is a terminal.
fn bar(len: Option<u64>, msg: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => {
            let pb = ProgressBar::new_spinner();
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            pb
        }
    };
    pb.set_message(msg);
    pb
}
