//! Command-line definitions (clap) only; `main` maps them to commands.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// A fast static blog generator that bakes the conversation into its pages.
#[derive(Debug, Parser)]
#[command(name = "causerie", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a new site in DIR that builds as it is.
    Init {
        /// Directory for the new site (created if missing).
        dir: PathBuf,
    },
    /// Build the site into public/ (or --output); a failed build leaves the previous output untouched.
    Build {
        /// Site root (holding causerie.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output directory. Default: <root>/public.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Include drafts and scheduled posts.
        #[arg(long)]
        drafts: bool,
        /// Override base_url from causerie.toml.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Build, serve on 127.0.0.1, rebuild what changed and reload the browser.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Include drafts and scheduled posts.
        #[arg(long)]
        drafts: bool,
        /// Where the dev build goes. Default: <root>/.causerie/serve.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Also run a local causerie-comments and bake its comments.
        #[arg(long)]
        comments: bool,
        /// SQLite file for that comment service (default: a temporary one).
        #[arg(long, requires = "comments")]
        comments_db: Option<PathBuf>,
    },
    /// Keep public/ built for production: rebuild what changed when a source
    /// changes or the comment service calls POST /_causerie/rebuild.
    Watch {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output directory. Default: <root>/public.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Port on 127.0.0.1 for the rebuild call (0 picks a free one).
        #[arg(long, short, default_value_t = 1112)]
        port: u16,
    },
    /// Validate content, config, templates and internal links without writing output.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Also check drafts and scheduled posts as if published.
        #[arg(long)]
        drafts: bool,
    },
    /// Send Webmentions (or pingbacks) for the links in the built posts.
    Webmentions {
        #[command(subcommand)]
        action: WebmentionsAction,
    },
    /// Tell the blog's fediverse followers about new and changed posts.
    Activitypub {
        #[command(subcommand)]
        action: ActivitypubAction,
    },
    /// Bring an old blog's posts and pages in from its export.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Write content/posts/<slug>.md with front matter filled in.
    New {
        /// The post's title.
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the shell completion script for SHELL (e.g. `causerie completions bash > ~/.local/share/bash-completion/completions/causerie`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// `causerie webmentions …`
#[derive(Debug, Subcommand)]
pub enum WebmentionsAction {
    /// Notify every target linked from the built posts: once per link, again
    /// when a post changes, and when a link or post is removed. Sent-state is
    /// kept in <root>/webmentions.json (commit it).
    Send {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Built site to read. Default: <root>/public.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print what would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Override base_url from causerie.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Allow targets and endpoints on loopback or private addresses (tests).
        #[arg(long)]
        allow_private_addresses: bool,
        /// Pause between two requests to one host, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        host_interval_ms: u64,
    },
}

/// `causerie activitypub …`
#[derive(Debug, Subcommand)]
pub enum ActivitypubAction {
    /// After publishing a build: the comment service reads the site's outbox
    /// and queues a signed Create or Update of each new or changed post for
    /// the followers. Needs CAUSERIE_ADMIN_TOKEN (the service's admin_token).
    Send {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// `causerie import …`
#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// A WordPress export (WXR 1.0–1.2, from WordPress.org or WordPress.com).
    Wordpress {
        /// The export file (Tools → Export → All content).
        file: PathBuf,
        /// Site root (holding causerie.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// A copy of the old site's wp-content/uploads: the files posts use
        /// are copied beside them. Without it, upload links stay as they are.
        #[arg(long)]
        media: Option<PathBuf>,
        /// Print the summary; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not record the posts' links as already sent in webmentions.json
        /// (the next `causerie webmentions send` notifies every one).
        #[arg(long)]
        send_webmentions: bool,
    },
    /// A Blogger export (Atom: the classic backup or the Takeout form).
    Blogger {
        /// The export file (feed.atom or blog-*.xml).
        file: PathBuf,
        /// Site root (holding causerie.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Print the summary; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not record the posts' links as already sent in webmentions.json.
        #[arg(long)]
        send_webmentions: bool,
    },
}
