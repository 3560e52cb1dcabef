//! Command line: flags override the config file; `backup FILE` copies the
//! live SQLite database; `import FORMAT FILE` brings in an old blog's
//! conversation; `migrate-db --to URL` copies the SQLite store into PostgreSQL.
//! Exit codes: 0 success, 1 config, input or runtime error, 2 usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};

/// The Causerie comment and Webmention service.
#[derive(Debug, Parser)]
#[command(name = "causerie-comments", version, about)]
pub struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8787; port 0 picks one).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// SQLite database file (default comments.db).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// PostgreSQL instead of the SQLite file (`postgres://user:pw@host:port/db`).
    #[arg(long, global = true, value_name = "URL", value_parser = crate::config::DatabaseUrl::new)]
    pub database_url: Option<crate::config::DatabaseUrl>,
    /// Let Webmention verification reach loopback and private addresses.
    #[arg(long)]
    pub allow_private_addresses: bool,
    /// The public site URL (instead of `site_url` in the file).
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a consistent copy of the live database to FILE (SQLite online backup).
    Backup {
        /// Where to write the copy.
        file: PathBuf,
    },
    /// Import the conversation of a WordPress, Blogger, Disqus or Isso export.
    Import(crate::import::cli::ImportArgs),
    /// Copy the SQLite database (--db or the config's `db`) into PostgreSQL.
    MigrateDb {
        /// The PostgreSQL database to fill (`postgres://…`).
        #[arg(long, value_name = "URL", value_parser = crate::config::DatabaseUrl::new)]
        to: crate::config::DatabaseUrl,
    },
}

/// Parses the command line and runs; the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // An import is a command-line tool: only warnings belong on its stderr.
    let quiet = matches!(
        cli.command,
        Some(Command::Import(_) | Command::MigrateDb { .. })
    );
    init_logging(if quiet { "warn" } else { "info" });
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `FILE:line:column: message` starts the line, as editors expect.
        Err(e @ crate::error::Error::Import { .. }) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("causerie-comments: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> crate::error::Result<()> {
    if let Some(Command::Import(args)) = &cli.command {
        return crate::import::cli::run(
            args,
            cli.config.as_deref(),
            cli.db.clone(),
            cli.database_url.clone(),
        );
    }
    if let Some(Command::MigrateDb { to }) = &cli.command {
        let db = tool_config(&cli)?.db;
        return crate::migrate_db::run(&db, to);
    }
    if let Some(Command::Backup { file }) = &cli.command {
        if let Some(url) = cli.database_url.clone().or(tool_config(&cli)?.database_url) {
            return Err(crate::error::Error::Unsupported(format!(
                "backup copies the SQLite file; this service uses PostgreSQL ({}): back it up with pg_dump (e.g. `pg_dump -Fc -f blog.dump DBNAME`) and restore with pg_restore",
                url.target()
            )));
        }
        let db = match (&cli.db, &cli.config) {
            (Some(d), _) => d.clone(),
            (None, Some(_)) => {
                let flags = Overrides {
                    site_url: Some("http://localhost/".into()),
                    ..Default::default()
                };
                Config::load(cli.config.as_deref(), &flags)?.db
            }
            (None, None) => PathBuf::from("comments.db"),
        };
        crate::store::backup(&db, file)?;
        println!("backed up {} to {}", db.display(), file.display());
        return Ok(());
    }
    let flags = Overrides {
        listen: cli.listen,
        db: cli.db,
        database_url: cli.database_url,
        allow_private_addresses: cli.allow_private_addresses,
        site_url: cli.site_url,
    };
    let cfg = Config::load(cli.config.as_deref(), &flags)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // store reads run on blocking threads; a few are plenty for SQLite
        .max_blocking_threads(8)
        .build()
        .map_err(|source| crate::error::Error::Io {
            path: "tokio runtime".into(),
            source,
        })?;
    rt.block_on(crate::app::serve(cfg))
}

/// The config file as a tool beside the service reads it (no site_url needed).
fn tool_config(cli: &Cli) -> crate::error::Result<Config> {
    let flags = Overrides {
        site_url: Some("http://localhost/".into()),
        db: cli.db.clone(),
        database_url: cli.database_url.clone(),
        ..Default::default()
    };
    Config::load(cli.config.as_deref(), &flags)
}

/// Caps the PostgreSQL driver's log level whatever `RUST_LOG` says.
const NO_DRIVER_DEBUG: &str = "tokio_postgres=info";

/// Logs to stderr; `RUST_LOG` chooses the level (default `level`).
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level))
        // The PostgreSQL driver logs every statement's parameters at debug:
        // e-mail addresses, tokens, the signing key. Never let them through.
        .add_directive(NO_DRIVER_DEBUG.parse().expect("a valid directive"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
