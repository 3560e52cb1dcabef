// Real peers for the multi-instance tests: a throw-away PostgreSQL cluster
// (Debian's postgresql package, initdb as an unprivileged user, 127.0.0.1 on
// a free port) and a real nginx load balancer over several comment-service
// instances. Each start registers its own stop, so a failing test never
// leaves a postmaster or an nginx behind.

import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir, waitFor } from './lib.mjs';

/** What a test says when the cluster cannot be started for want of the package. */
export const PG_MISSING = 'PostgreSQL is not installed: apt-get install postgresql';

/**
 * The PostgreSQL bindir (initdb, pg_ctl, psql, pg_dump): $CAUSERIE_PG_BIN
 * (tests/run exports it), else the newest /usr/lib/postgresql/N/bin. Throws
 * PG_MISSING when neither holds initdb: such a test fails, never skips.
 */
export function pgBin() {
  const env = process.env.CAUSERIE_PG_BIN;
  if (env) {
    if (!existsSync(join(env, 'initdb'))) throw new Error(`${PG_MISSING} (CAUSERIE_PG_BIN=${env} has no initdb)`);
    return env;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(PG_MISSING);
  return join(root, versions[0], 'bin');
}

/** A TCP port nothing listens on now (the caller binds it right after). */
export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const asRoot = process.getuid?.() === 0;

/** The postgres system user's uid/gid, for chown (root only: initdb refuses root). */
function postgresIds() {
  const id = (flag) => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`running as root, but there is no 'postgres' user to run initdb as (${PG_MISSING})`);
    return Number(r.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** Runs a PostgreSQL tool to completion, as `postgres` when we are root. */
function pgRun(bindir, tool, args, opts = {}) {
  const exe = join(bindir, tool);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20, ...opts });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts a fresh cluster: initdb (superuser `postgres`, trust on the socket,
 * scram passwords over TCP), then the postmaster on 127.0.0.1:<free port>
 * with its socket in the cluster's own directory. `settings` are extra
 * `-c name=value` server settings. Returns helpers; call `stop()` in after()
 * (a process exit handler stops it too, should the test runner die first).
 */
export async function startPostgres({ settings = {} } = {}) {
  const bindir = pgBin();
  const dir = tmpdir('causerie-pg-');
  const data = join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const init = pgRun(bindir, 'initdb', [
    '-D', data, '-U', 'postgres', '-E', 'UTF8', '--locale=C',
    '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--no-instructions',
  ]);
  if (init.code !== 0) throw new Error(`initdb failed (${init.code}): ${init.stderr}`);
  const port = await freePort();
  const opts = [`-h 127.0.0.1`, `-p ${port}`, `-k ${dir}`, '-c max_connections=200']
    .concat(Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`))
    .join(' ');
  const log = join(dir, 'postgres.log');
  const started = pgRun(bindir, 'pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', opts, 'start']);
  if (started.code !== 0) {
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {}
    throw new Error(`pg_ctl start failed (${started.code}): ${started.stderr}\n${text}`);
  }
  let stopped = false;
  const stopNow = (mode) => {
    if (stopped) return;
    stopped = true;
    pgRun(bindir, 'pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
  };
  const onExit = () => stopNow('immediate');
  process.once('exit', onExit);

  /** psql as the superuser over the socket; throws on any SQL error. */
  const psql = (db, sql) => {
    const r = pgRun(bindir, 'psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-XAtq', '-c', sql]);
    if (r.code !== 0) throw new Error(`psql ${db}: ${r.stderr}`);
    return r.stdout.trim();
  };

  return {
    bindir,
    dir,
    port,
    log,
    psql,
    /** The superuser's arguments for a PostgreSQL client tool (socket, port, user). */
    clientArgs: () => ['-h', dir, '-p', String(port), '-U', 'postgres'],
    /** Runs a client tool (pg_dump, pg_restore, psql…) as the cluster's OS user. */
    tool: (name, args, opts) => pgRun(bindir, name, args, opts),
    /**
     * Creates a login role with a password and a database it owns; returns
     * the `postgres://` URL the service takes (over TCP, so the password is used).
     */
    createDatabase(name, { user = 'causerie', password = 'pw-' + Math.random().toString(36).slice(2) } = {}) {
      const exists = psql('postgres', `SELECT 1 FROM pg_roles WHERE rolname = '${user}'`);
      if (!exists) psql('postgres', `CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      else psql('postgres', `ALTER ROLE ${user} PASSWORD '${password}'`);
      psql('postgres', `CREATE DATABASE ${name} OWNER ${user}`);
      return { url: `postgres://${user}:${password}@127.0.0.1:${port}/${name}`, user, password, name };
    },
    async stop() {
      process.removeListener('exit', onExit);
      stopNow('fast');
    },
  };
}

/**
 * Starts Debian's nginx as a load balancer over `upstreams` (base URLs such
 * as http://127.0.0.1:PORT). GET and HEAD go to the next instance on a
 * connection error, a timeout or a 502; a POST is passed on only when it never
 * reached an instance (nginx's default for non-idempotent methods: once sent,
 * the client's retry with the same Idempotency-Key is what makes it safe).
 * Every answer names the instance that gave it in `X-Upstream`.
 */
export async function startBalancer(upstreams, { dir = tmpdir('causerie-lb-') } = {}) {
  const which = spawnSync('sh', ['-c', 'command -v nginx || command -v /usr/sbin/nginx'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('nginx is missing: apt-get install -y nginx (.ci/run does)');
  const nginx = which.stdout.trim().split('\n')[0];
  const port = await freePort();
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/tmp/${t};`).join('\n  ');
  const servers = upstreams
    .map((u) => `    server ${new URL(u).host} max_fails=1 fail_timeout=2s;`)
    .join('\n');
  // As root, the workers would drop to `nobody`, who cannot read a private temp dir.
  const user = asRoot ? 'user root root;' : '';
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${user}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temps}
  upstream causerie {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://causerie;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_connect_timeout 1s;
      proxy_read_timeout 15s;
      # Idempotent requests only: without "non_idempotent" nginx never
      # re-sends a POST that reached an instance.
      proxy_next_upstream error timeout http_502;
      proxy_next_upstream_tries 3;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`,
  );
  const args = ['-p', dir, '-e', `${dir}/error.log`, '-c', conf];
  const t = spawnSync(nginx, [...args, '-t'], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`nginx -t refuses the balancer config:\n${t.stderr}`);
  const proc = spawn(nginx, args, { stdio: 'ignore' });
  const onExit = () => proc.kill('SIGKILL');
  process.once('exit', onExit);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}`);
      return (await fetch(`${url}/healthz`)).status > 0;
    },
    { what: 'nginx' },
  );
  return {
    url,
    dir,
    conf,
    errorLog: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      process.removeListener('exit', onExit);
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGQUIT');
      await done;
    },
  };
}
