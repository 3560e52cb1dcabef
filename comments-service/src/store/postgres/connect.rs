//! Connecting: the URL (never shown with its password), the pool, the
//! migrations, the shared secret and the `LISTEN` connection.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{AsyncMessage, Config, NoTls};

use super::messages::chain;
use super::{CHANNEL, Postgres, VERIFY_LEASE_US};
use crate::error::{Error, Result};

/// An unreachable database fails start-up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections this instance keeps at most.
const POOL_SIZE: usize = 16;
/// The `application_name` of the `LISTEN` connection.
pub const LISTENER_NAME: &str = "causerie-comments-listen";
/// Serialises migrations of instances starting together.
const MIGRATION_LOCK: i64 = 0x6361_7573_0001;

mod embedded {
    refinery::embed_migrations!("src/store/migrations/postgres");
}

/// `host:port/dbname` of the configuration: what messages and logs may
/// show of it (no user, no password, no options).
fn shown(cfg: &Config) -> String {
    let host = match cfg.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    let db = cfg.get_dbname().or(cfg.get_user()).unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// The driver's configuration for `url`, with our rules: a connect
/// timeout, `synchronous_commit = on` on every connection (a 2xx means
/// durable even if the server's default says otherwise), and no TLS, so a
/// URL that requires it is refused rather than sent in clear.
fn config(url: &str) -> Result<Config> {
    let mut cfg = Config::from_str(url).map_err(|e| {
        // the driver's message names the bad part, never the password
        Error::Config(format!("database_url: not a PostgreSQL URL ({e})"))
    })?;
    if !matches!(cfg.get_ssl_mode(), SslMode::Disable | SslMode::Prefer) {
        return Err(Error::Config(format!(
            "database_url ({}): sslmode={:?} needs TLS, which this build does not speak; \
             use sslmode=disable on a trusted network or a local socket, or a TLS tunnel",
            shown(&cfg),
            cfg.get_ssl_mode()
        )));
    }
    if cfg.get_ssl_mode() == SslMode::Prefer && !is_local(&cfg) {
        tracing::warn!(
            database = %shown(&cfg),
            "database_url: TLS is not supported; connecting without it (set sslmode=disable to say so)"
        );
    }
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(CONNECT_TIMEOUT);
    }
    let options = cfg.get_options().unwrap_or("").to_string();
    cfg.options(format!("{options} -c synchronous_commit=on").trim());
    cfg.application_name("causerie-comments");
    Ok(cfg)
}

fn is_local(cfg: &Config) -> bool {
    cfg.get_hosts().iter().all(|h| match h {
        Host::Unix(_) => true,
        Host::Tcp(h) => h == "localhost" || h == "127.0.0.1" || h == "::1",
    })
}

impl Postgres {
    /// Connects (failing within [`CONNECT_TIMEOUT`] when the server does not
    /// answer), migrates, loads the shared secret and starts listening.
    pub async fn connect(url: &str, debounce_ms: u64) -> Result<Postgres> {
        let cfg = config(url)?;
        let target: Arc<str> = shown(&cfg).into();
        let fail = |message: String| Error::Connect {
            target: target.to_string(),
            message,
        };
        let (mut client, conn) =
            tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), cfg.connect(NoTls))
                .await
                .map_err(|_| fail("no answer within 5 s".into()))?
                .map_err(|e| fail(chain(&e)))?;
        let driver = tokio::spawn(conn);
        migrate(&mut client, &target).await?;
        let secret = load_secret(&client).await?;
        drop(client);
        let _ = driver.await;
        let mgr = Manager::from_config(
            cfg.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let generation = Arc::new(AtomicU64::new(1));
        let rebuild = Arc::new(Notify::new());
        tokio::spawn(listen(
            cfg,
            target.clone(),
            generation.clone(),
            rebuild.clone(),
        ));
        let announcer = super::announce::Announcer::default();
        announcer.start(pool.clone(), target.clone());
        super::announce::poll_changes(pool.clone(), generation.clone());
        Ok(Postgres {
            announcer,
            pool,
            target,
            generation,
            rebuild,
            secret: Arc::new(secret),
            debounce_us: (debounce_ms as i64).saturating_mul(1000),
            lease_us: Arc::new(AtomicI64::new(VERIFY_LEASE_US)),
            seen: Arc::default(),
        })
    }
}

/// Runs the embedded migrations under an advisory lock (instances starting
/// together migrate once); refuses a database of a newer build.
async fn migrate(client: &mut tokio_postgres::Client, target: &str) -> Result<()> {
    let runner = embedded::migrations::runner();
    let supported = runner
        .get_migrations()
        .iter()
        .map(|m| m.version() as i64)
        .max()
        .unwrap_or(0);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let has_history: bool = client
        .query_one(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )
        .await?
        .try_get(0)?;
    let found: Option<i64> = if has_history {
        client
            .query_one(
                "SELECT max(version)::bigint FROM refinery_schema_history",
                &[],
            )
            .await?
            .try_get(0)?
    } else {
        None
    };
    let r = match found.filter(|f| *f > supported) {
        Some(found) => Err(Error::SchemaTooNew {
            path: target.to_string(),
            found,
            supported,
        }),
        None => runner
            .run_async(client)
            .await
            .map(|_| ())
            .map_err(Error::from),
    };
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    r
}

/// The signing key in `settings`: created once by whichever instance comes
/// first, then read back, so every instance signs with the same key.
async fn load_secret(client: &tokio_postgres::Client) -> Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::Config(format!("no random source: {e}")))?;
    client
        .execute(
            "INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING",
            &[&key],
        )
        .await?;
    Ok(client
        .query_one("SELECT value FROM settings WHERE key = 'secret'", &[])
        .await?
        .try_get(0)?)
}

/// Keeps a `LISTEN` connection: each notification moves the generation (and
/// wakes the rebuild loop when asked); after the connection is lost it is
/// made again and the generation moved, since notifications may have been
/// missed meanwhile.
async fn listen(
    mut cfg: Config,
    target: Arc<str>,
    generation: Arc<AtomicU64>,
    rebuild: Arc<Notify>,
) {
    // named apart, so an operator (or a test) can tell it from the pool
    cfg.application_name(LISTENER_NAME);
    let mut failures = 0u32;
    loop {
        match cfg.connect(NoTls).await {
            Ok((client, mut conn)) => {
                let generation2 = generation.clone();
                let rebuild2 = rebuild.clone();
                let driver = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(|cx| conn.poll_message(cx));
                    while let Some(m) = messages.next().await {
                        match m {
                            Ok(AsyncMessage::Notification(n)) => {
                                generation2.fetch_add(1, Ordering::AcqRel);
                                if n.payload() == "rebuild" {
                                    rebuild2.notify_one();
                                }
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    tracing::warn!(database = %target, error = %e, "cannot LISTEN");
                } else {
                    failures = 0;
                    generation.fetch_add(1, Ordering::AcqRel);
                    rebuild.notify_one();
                }
                let _ = driver.await;
                drop(client);
                tracing::warn!(database = %target, "the LISTEN connection was lost; reconnecting");
            }
            Err(e) => {
                failures += 1;
                if failures == 1 || failures.is_multiple_of(60) {
                    tracing::warn!(database = %target, error = %e, "cannot connect the LISTEN connection");
                }
            }
        }
        generation.fetch_add(1, Ordering::AcqRel);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
