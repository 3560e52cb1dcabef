//! A throw-away PostgreSQL cluster for the tests: Debian's own server,
//! `initdb` in a temp dir as an unprivileged user (`postgres` when the
//! tests run as root), `postgres` on 127.0.0.1 and a free port with fsync
//! on and password authentication, one fresh database per test.
//!
//! One cluster per test process (nextest runs each test in its own
//! process), stopped at exit; a watchdog stops it too if the process is
//! killed. Without PostgreSQL installed the tests fail, saying how to
//! install it: they are never skipped.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The running cluster of this process.
pub struct Cluster {
    pub bin: PathBuf,
    pub port: u16,
    /// The superuser's password: tests check it never shows.
    pub password: String,
    data: PathBuf,
    /// The temp dir holding the data and the socket (removed at exit).
    root: PathBuf,
    as_postgres: bool,
    next: AtomicU32,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(start)
}

/// A fresh, empty database; its `postgres://` URL (with the password).
pub fn fresh_database() -> String {
    fresh_named().1
}

/// A fresh, empty database: its name and URL.
pub fn fresh_named() -> (String, String) {
    let c = cluster();
    let name = format!("t_{}", c.next.fetch_add(1, Ordering::Relaxed));
    c.psql("postgres", &format!("CREATE DATABASE {name}"));
    let url = c.url(&name);
    (name, url)
}

impl Cluster {
    /// The URL of database `db`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{db}?sslmode=disable",
            self.password, self.port
        )
    }

    /// Runs `sql` with psql on `db`; its stdout (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", db, "-c", sql])
            .env("PGPASSWORD", &self.password)
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A command of the cluster's bin dir, as the cluster's owner.
    fn owner_cmd(&self, tool: &str) -> Command {
        owner_command(&self.bin.join(tool), self.as_postgres)
    }

    fn stop(&self) {
        let _ = self
            .owner_cmd("pg_ctl")
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The directory of `initdb` and `postgres`.
pub fn bindir() -> PathBuf {
    // tests/run finds it once for the Rust and the node tests alike.
    if let Some(dir) = std::env::var_os("CAUSERIE_PG_BIN") {
        let p = PathBuf::from(dir);
        assert!(
            p.join("initdb").exists(),
            "PostgreSQL is not installed: apt-get install postgresql (CAUSERIE_PG_BIN={} has no initdb)",
            p.display()
        );
        return p;
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.join("initdb").exists() {
            return p;
        }
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!("PostgreSQL is not installed: apt-get install postgresql"),
    }
}

fn owner_command(tool: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(tool);
        c
    } else {
        Command::new(tool)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Cluster {
    let bin = bindir();
    // SAFETY: geteuid has no preconditions.
    let as_postgres = unsafe { libc::geteuid() } == 0;
    let root = tempfile::Builder::new()
        .prefix("causerie-pg-")
        .tempdir()
        .unwrap()
        .keep();
    let data = root.join("data");
    let mut pw = [0u8; 12];
    getrandom::fill(&mut pw).unwrap();
    let password: String = pw.iter().map(|b| format!("{b:02x}")).collect();
    let password = format!("pw{password}");
    let pwfile = root.join("pw");
    std::fs::write(&pwfile, &password).unwrap();
    if as_postgres {
        let ok = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(&root)
            .status()
            .unwrap();
        assert!(ok.success(), "chown the cluster dir to postgres");
    }
    let out = owner_command(&bin.join("initdb"), as_postgres)
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "-A", "scram-sha-256", "--no-sync"])
        .arg(format!("--pwfile={}", pwfile.display()))
        .output()
        .expect("run initdb");
    assert!(
        out.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let log = std::fs::File::create(root.join("log")).unwrap();
    let child = owner_command(&bin.join("postgres"), as_postgres)
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&root)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-c", "fsync=on", "-c", "max_connections=200"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start postgres");
    let cluster = Cluster {
        bin,
        port,
        password,
        data,
        root,
        as_postgres,
        next: AtomicU32::new(1),
    };
    watchdog(&cluster);
    let began = Instant::now();
    loop {
        let ready = Command::new(cluster.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            break;
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "postgres did not start: {}",
            std::fs::read_to_string(cluster.root.join("log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(child);
    // SAFETY: registers a plain extern "C" fn once.
    unsafe { libc::atexit(stop_at_exit) };
    cluster
}

extern "C" fn stop_at_exit() {
    if let Some(c) = CLUSTER.get() {
        c.stop();
    }
}

/// Stops the cluster when this process is gone, however it ended.
fn watchdog(c: &Cluster) {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {stop}; rm -rf '{root}'",
        pid = std::process::id(),
        stop = if c.as_postgres {
            format!(
                "runuser -u postgres -- '{}' stop -m immediate -D '{}' >/dev/null 2>&1",
                c.bin.join("pg_ctl").display(),
                c.data.display()
            )
        } else {
            format!(
                "'{}' stop -m immediate -D '{}' >/dev/null 2>&1",
                c.bin.join("pg_ctl").display(),
                c.data.display()
            )
        },
        root = c.root.display()
    );
    let _ = Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
