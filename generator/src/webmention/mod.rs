//! `causerie webmentions send`: tell every page our posts link to.
//!
//! The flow: read the built posts ([`links`]), compare them with the
//! committed sent-state ([`state`]) to decide what to send (new links, posts
//! that changed, links removed, posts deleted), discover each target's
//! endpoint ([`discover`]) and notify it by Webmention or, failing that,
//! Pingback ([`pingback`]), all through the guarded client ([`crate::fetch`]).
//! Requests run a few at a time, one at a time per host with a pause in
//! between; the state is saved after every outcome so an interrupted run
//! resumes where it stopped.

pub mod discover;
pub mod links;
pub mod pingback;
pub mod state;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use crate::error::{Error, Result};
use crate::fetch::{self, FetchConfig, Fetcher};
use discover::Endpoint;
use state::{Job, State};

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Print what would be sent; send nothing, write no state.
    pub dry_run: bool,
    /// Let the client reach loopback and private addresses (tests, intranets).
    pub allow_private_addresses: bool,
    /// Requests in flight at once (default 4).
    pub parallelism: usize,
    /// Pause between two requests to one host (default 1 s).
    pub per_host_interval: Duration,
    /// Timeouts and caps of the guarded client.
    pub fetch: FetchConfig,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            dry_run: false,
            allow_private_addresses: false,
            parallelism: 4,
            per_host_interval: Duration::from_secs(1),
            fetch: FetchConfig {
                max_body_bytes: 4 * 1024 * 1024,
                ..fetch::default_config()
            },
        }
    }
}

/// Counts of one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Accepted by a Webmention endpoint (200, 201 or 202).
    pub webmentions: usize,
    /// Accepted by a Pingback endpoint.
    pub pingbacks: usize,
    /// Targets that advertise no endpoint (not an error).
    pub no_endpoint: usize,
    /// Targets or endpoints that failed; retried next run.
    pub failed: usize,
    /// Pairs already sent for this version of the post.
    pub unchanged: usize,
    /// Pairs a dry run would send.
    pub would_send: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "webmentions: {} sent, {} pingbacks, {} without endpoint, {} failed, {} unchanged",
            self.webmentions, self.pingbacks, self.no_endpoint, self.failed, self.unchanged
        )?;
        if self.would_send > 0 {
            write!(f, ", {} would be sent (dry run)", self.would_send)?;
        }
        Ok(())
    }
}

/// Sends what the built site at `output` calls for, with the sent-state in
/// `site_root/webmentions.json`. `base_url` is the site's public URL.
pub fn send(
    site_root: &Path,
    output: &Path,
    base_url: &str,
    options: &SendOptions,
) -> Result<Summary> {
    let base = site_base(base_url)?;
    let posts = links::read_posts(output, &base)?;
    let mut state = State::load(site_root)?;
    let (jobs, unchanged) = state.plan(&posts);
    // Links recorded by `causerie import` take the hash of the post as now
    // built, so a later edit of the post sends them again.
    if !options.dry_run && state.adopt_imported(&posts) {
        state.save(site_root)?;
    }
    let mut summary = Summary {
        unchanged,
        ..Summary::default()
    };
    if options.dry_run {
        for job in &jobs {
            println!(
                "would send  {} -> {} ({})",
                job.source,
                job.target,
                job.reason.as_str()
            );
        }
        summary.would_send = jobs.len();
        println!("{summary}");
        return Ok(summary);
    }
    if jobs.is_empty() {
        println!("{summary}");
        return Ok(summary);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the async runtime: {e}")))?;
    let fetcher = Fetcher::new(&FetchConfig {
        allow_private_addresses: options.allow_private_addresses,
        ..options.fetch.clone()
    })
    .map_err(|e| Error::Other(e.to_string()))?;
    runtime.block_on(run(
        jobs,
        fetcher,
        options,
        site_root,
        &mut state,
        &mut summary,
    ))?;
    println!("{summary}");
    Ok(summary)
}

/// The site's base URL with a trailing slash, so `posts/x/` joins under it.
pub fn site_base(base_url: &str) -> Result<Url> {
    let mut raw = base_url.trim().to_string();
    if !raw.ends_with('/') {
        raw.push('/');
    }
    match Url::parse(&raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
        _ => Err(Error::Other(format!(
            "base_url: {base_url:?} is not an absolute http(s) URL"
        ))),
    }
}

/// What happened to one job.
struct Outcome {
    job: Job,
    result: &'static str,
    endpoint: Option<String>,
    detail: String,
}

async fn run(
    jobs: Vec<Job>,
    fetcher: Fetcher,
    options: &SendOptions,
    site_root: &Path,
    state: &mut State,
    summary: &mut Summary,
) -> Result<()> {
    let total = jobs.len();
    let limit = Arc::new(tokio::sync::Semaphore::new(options.parallelism.max(1)));
    let polite = Arc::new(Politeness::new(options.per_host_interval));
    let mut tasks = tokio::task::JoinSet::new();
    for job in jobs {
        let (limit, polite, fetcher) = (limit.clone(), polite.clone(), fetcher.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            notify(job, &fetcher, &polite).await
        });
    }
    let progress = std::io::stderr().is_terminal();
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let Ok(outcome) = joined else {
            continue;
        };
        done += 1;
        match outcome.result {
            "webmention" => summary.webmentions += 1,
            "pingback" => summary.pingbacks += 1,
            "no-endpoint" => summary.no_endpoint += 1,
            _ => summary.failed += 1,
        }
        if progress {
            eprint!("\r\x1b[K");
        }
        println!(
            "{:<11} {} -> {} ({}){}",
            outcome.result,
            outcome.job.source,
            outcome.job.target,
            outcome.job.reason.as_str(),
            if outcome.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", outcome.detail)
            }
        );
        if progress {
            eprint!("[{done}/{total}] sending webmentions…");
            let _ = std::io::stderr().flush();
        }
        let now = jiff::Timestamp::now().to_string();
        state.record(&outcome.job, outcome.result, outcome.endpoint, now);
        state.save(site_root)?;
    }
    if progress {
        eprint!("\r\x1b[K");
    }
    Ok(())
}

/// Discovers the target's endpoint and notifies it.
async fn notify(job: Job, fetcher: &Fetcher, polite: &Politeness) -> Outcome {
    let outcome = |result, endpoint: Option<&Url>, detail: String| Outcome {
        job: job.clone(),
        result,
        endpoint: endpoint.map(Url::to_string),
        detail,
    };
    let page = {
        let _turn = polite.turn(&job.target).await;
        fetcher.get(&job.target).await
    };
    let page = match page {
        Ok(page) if page.status >= 500 => {
            return outcome("failed", None, format!("target answered {}", page.status));
        }
        Ok(page) => page,
        Err(e) => return outcome("failed", None, e.to_string()),
    };
    let endpoint = discover::discover(
        &page.final_url,
        &page.headers,
        page.content_type.as_deref(),
        &page.body,
    );
    match &endpoint {
        Endpoint::None => outcome("no-endpoint", None, String::new()),
        Endpoint::Webmention(url) => {
            let sent = {
                let _turn = polite.turn(url.as_str()).await;
                fetcher
                    .post_form(
                        url.as_str(),
                        &[("source", &job.source), ("target", &job.target)],
                    )
                    .await
            };
            match sent {
                Ok(r) if matches!(r.status, 200..=202) => {
                    outcome("webmention", Some(url), String::new())
                }
                Ok(r) => outcome(
                    "failed",
                    Some(url),
                    format!("endpoint answered {}", r.status),
                ),
                Err(e) => outcome("failed", Some(url), e.to_string()),
            }
        }
        Endpoint::Pingback(url) => {
            let sent = {
                let _turn = polite.turn(url.as_str()).await;
                let body = pingback::request_body(&job.source, &job.target);
                fetcher
                    .post_raw(url.as_str(), "text/xml", body.into_bytes())
                    .await
            };
            match sent {
                Ok(r) if r.status == 200 => match pingback::read_response(&r.body) {
                    Ok(()) => outcome("pingback", Some(url), String::new()),
                    Err(e) => outcome("failed", Some(url), e),
                },
                Ok(r) => outcome(
                    "failed",
                    Some(url),
                    format!("pingback endpoint answered {}", r.status),
                ),
                Err(e) => outcome("failed", Some(url), e.to_string()),
            }
        }
    }
}

/// One request at a time per host, with a pause between them.
struct Politeness {
    interval: Duration,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
}

/// Holding it is this task's turn at a host; dropping it stamps the time.
struct Turn {
    guard: tokio::sync::OwnedMutexGuard<Option<Instant>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        *self.guard = Some(Instant::now());
    }
}

impl Politeness {
    fn new(interval: Duration) -> Self {
        Politeness {
            interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    async fn turn(&self, url: &str) -> Turn {
        let host = Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts.entry(host).or_default().clone()
        };
        let guard = slot.lock_owned().await;
        if let Some(last) = *guard {
            let next = last + self.interval;
            if next > Instant::now() {
                tokio::time::sleep_until(next.into()).await;
            }
        }
        Turn { guard }
    }
}
