// Helpers shared by the end-to-end tests: the real binaries, a real comment
// service on 127.0.0.1:0, Debian's headless Chromium, the Nu HTML Checker,
// axe-core and Python validators. Nothing here is a mock.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir as osTmpdir } from 'node:os';
import { join, dirname, extname, resolve, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The repository root (the example site lives here). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the binaries under test are: $CAUSERIE_BIN_DIR, else <target>/debug. */
export const binDir =
  process.env.CAUSERIE_BIN_DIR ||
  join(process.env.CARGO_TARGET_DIR ? resolve(repoRoot, process.env.CARGO_TARGET_DIR) : join(repoRoot, 'target'), 'debug');

/** Absolute path of a workspace binary (`causerie` or `causerie-comments`). */
export function bin(name) {
  const p = join(binDir, name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run cargo build --workspace first`);
  return p;
}

/** A fresh temporary directory. */
export function tmpdir(prefix = 'causerie-e2e-') {
  return mkdtempSync(join(osTmpdir(), prefix));
}

/** Runs a command to completion: {code, stdout, stderr}. */
export function run(cmd, args = [], opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000, ...opts });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the generator: `causerie ...args` in `cwd`. */
export function causerie(args, opts = {}) {
  return run(bin('causerie'), args, opts);
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(fn, { timeoutMs = 15_000, intervalMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/**
 * Starts the real `causerie-comments` on 127.0.0.1:0 with a real SQLite file.
 * `config` is the TOML text of the config file (site_url etc.).
 * Returns {url, db, dir, proc, output(), stop()}.
 */
export async function startService({ config, dir = tmpdir('causerie-svc-'), db, args = [], env = {} } = {}) {
  const cfg = join(dir, 'comments.toml');
  writeFileSync(cfg, config);
  const dbPath = db || join(dir, 'comments.db');
  const proc = spawn(bin('causerie-comments'), ['--config', cfg, '--listen', '127.0.0.1:0', '--db', dbPath, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const url = await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`causerie-comments exited ${proc.exitCode}: ${err}`);
      const m = out.split('\n')[0].match(/http:\/\/127\.0\.0\.1:\d+/);
      return m && out.includes('\n') ? m[0] : null;
    },
    { what: 'the service address on stdout' },
  );
  return {
    url,
    db: dbPath,
    dir,
    proc,
    output: () => ({ stdout: out, stderr: err }),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await done;
    },
  };
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.txt': 'text/plain',
};

/** Serves a directory over HTTP on 127.0.0.1:0 (like a static host would). Returns {url, close()}. */
export async function serveStatic(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(normalize(root))) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      let body = 'not found';
      try {
        body = readFileSync(join(root, '404.html'));
      } catch {}
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** The Chromium flags this machine needs (closed network, root, no GPU). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Launches Debian's Chromium headless through playwright-core (a fresh profile each time). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}

/** Runs axe-core in a Playwright page; returns the violations. */
export async function axe(page, options = {}) {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  return page.evaluate(async (opts) => {
    const r = await window.axe.run(document, opts);
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  }, options);
}

/**
 * Runs the Nu HTML Checker on files or directories (HTML only).
 * Returns the list of errors: [{file, line, message}].
 */
export function vnu(paths, { skipNonHtml = true } = {}) {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  const args = ['-jar', jar, '--errors-only', '--format', 'json'];
  if (skipNonHtml) args.push('--skip-non-html');
  const r = run('java', [...args, ...[].concat(paths)]);
  const text = r.stderr.trim() || r.stdout.trim();
  if (!text) return [];
  const msgs = JSON.parse(text).messages || [];
  return msgs
    .filter((m) => m.type === 'error' || m.subType === 'fatal')
    .map((m) => ({ file: (m.url || '').replace(/^file:/, ''), line: m.lastLine, message: m.message }));
}

/**
 * Runs a Python snippet with python3; `input` goes to stdin. Returns stdout;
 * throws with stderr when it fails. The validators (feedparser, mf2py) are
 * installed by tests/run.
 */
export function python(code, input = '') {
  const r = run('python3', ['-c', code], { input });
  if (r.code !== 0) throw new Error(`python failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Parses a feed file with feedparser: {bozo, bozo_exception, version, title, entries: [{title, link, id}]}. */
export function feedparse(path) {
  const out = python(
    `import feedparser, json, sys
d = feedparser.parse(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
print(json.dumps({"bozo": int(bool(d.bozo)), "bozo_exception": str(d.get("bozo_exception", "")), "version": d.version,
  "title": d.feed.get("title"), "entries": [{"title": e.get("title"), "link": e.get("link"), "id": e.get("id")} for e in d.entries]}))`,
    readFileSync(path, 'utf8'),
  );
  return JSON.parse(out);
}

/** Parses HTML with mf2py: the full mf2 JSON ({items, rels, rel-urls}). */
export function mf2(html, baseUrl) {
  const out = python(
    `import mf2py, json, sys
print(json.dumps(mf2py.parse(doc=sys.stdin.read(), url=${JSON.stringify(baseUrl || 'http://example.invalid/')})))`,
    html,
  );
  return JSON.parse(out);
}
