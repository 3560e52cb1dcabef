// Several real `causerie-comments` processes on one store, and the client
// side of a busy site: many visitors posting at once, each retrying a failed
// or timed-out POST with the same Idempotency-Key, as embed.js does.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, tmpdir, waitFor } from './lib.mjs';

/**
 * Starts one instance with the TOML `config` on `listen` (127.0.0.1:0 by
 * default; a fixed address brings a killed instance back on its port).
 * Returns {url, proc, output(), kill(signal), stop()}.
 */
export async function startInstance({ config, listen = '127.0.0.1:0', dir = tmpdir('causerie-inst-'), args = [], env = {} }) {
  const cfg = join(dir, 'comments.toml');
  writeFileSync(cfg, config);
  const proc = spawn(bin('causerie-comments'), ['--config', cfg, '--listen', listen, ...args], {
    cwd: dir,
    env: { ...process.env, RUST_LOG: 'warn', ...env },
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
    { what: `the service address on stdout (${listen})`, timeoutMs: 30_000 },
  );
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    url,
    dir,
    proc,
    output: () => ({ stdout: out, stderr: err }),
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
    async stop() {
      return this.kill('SIGTERM');
    },
  };
}

/** fetch → {status, json, text, headers}; network errors and timeouts throw. */
export async function call(url, opts = {}) {
  const r = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000), ...opts });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text, headers: r.headers };
}

/**
 * Posts one comment until it is acknowledged, retrying on a network error, a
 * timeout or a 5xx with the same Idempotency-Key. Every attempt is logged in
 * `attempts` ({key, status, upstream, at}); resolves to the final answer.
 */
export async function postWithRetry(base, comment, { attempts, tries = 12, timeoutMs = 10_000 } = {}) {
  const key = randomUUID();
  let last;
  for (let i = 0; i < tries; i++) {
    const at = Date.now();
    try {
      const r = await call(`${base}/api/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(comment),
        timeoutMs,
      });
      attempts?.push({ key, status: r.status, upstream: r.headers.get('x-upstream'), at });
      if (r.status < 500) return { ...r, key, tries: i + 1 };
      last = new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
    } catch (e) {
      attempts?.push({ key, status: 0, upstream: null, at, error: String(e) });
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50 * 2 ** Math.min(i, 5)));
  }
  throw new Error(`comment never acknowledged after ${tries} tries: ${last}`);
}

/**
 * `clients` visitors post `total` comments between them (each waits for its
 * answer before the next). `onAck(n)` is called after each acknowledgement so
 * the test can kill an instance in the middle. Resolves to the answers.
 */
export async function crowd(base, { total, clients, pages, attempts, onAck = () => {} }) {
  const answers = [];
  let next = 0;
  const worker = async (client) => {
    for (;;) {
      const n = next++;
      if (n >= total) return;
      const body = `Fleet comment fleet-${n}-of-${total} from visitor ${client}.`;
      const r = await postWithRetry(base, { page: pages[n % pages.length], body, author: `Visitor ${client}` }, { attempts });
      answers.push({ n, body, token: `fleet-${n}-of-${total}`, ...r });
      await onAck(answers.length);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => worker(c)));
  return answers;
}
