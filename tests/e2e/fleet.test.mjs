// Past one machine: nginx balances three real `causerie-comments` instances
// on one real PostgreSQL database (a throw-away cluster from Debian's
// package). A crowd posts 1 000 comments while one instance is killed with
// SIGKILL; nothing acknowledged is lost or doubled, the instance comes back,
// a burst of changes rebuilds the site once, and a Webmention is verified
// once across the fleet.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, waitFor } from './lib.mjs';
import { startPostgres, startBalancer, freePort } from './postgres.mjs';
import { startInstance, call, crowd } from './fleet.mjs';

const TOTAL = 1000;
const CLIENTS = 50;
const PAGES = Array.from({ length: 10 }, (_, i) => `/posts/fleet-${i}/`);
const DEBOUNCE_MS = 1000;

let pg, db, lb, source, work, runs, sitePort, config;
const instances = [];
let sourceFetches = 0;

before(async () => {
  work = tmpdir('causerie-fleet-');
  runs = join(work, 'rebuilds.log');
  pg = await startPostgres();
  db = pg.createDatabase('fleet');
  // The Webmention source: a real page on 127.0.0.1 that counts its fetches.
  source = createServer((req, res) => {
    if (req.url === '/source.html') sourceFetches += 1;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>s</title><article class="h-entry"><p class="e-content">Read ` +
        `<a href="http://127.0.0.1:${sitePort}/posts/fleet-0/">this post</a>.</p></article>`,
    );
  });
  await new Promise((r) => source.listen(0, '127.0.0.1', r));
  // No site answers there: without a pages manifest every page is open.
  sitePort = await freePort();
  config = `site_url = "http://127.0.0.1:${sitePort}"
moderation = "none"
allow_private_addresses = true
database_url = "${db.url}"
trusted_proxies = ["127.0.0.1"]

[limits]
comments_per_minute = 0

[spam]
min_submit_seconds = 0

[rebuild]
command = "echo run >> '${runs}'"
debounce_ms = ${DEBOUNCE_MS}

[webmention]
per_source_per_minute = 0
`;
  // The first one migrates the empty database; the other two start together.
  instances.push(await startInstance({ config }));
  instances.push(...(await Promise.all([startInstance({ config }), startInstance({ config })])));
  lb = await startBalancer(instances.map((i) => i.url));
});

after(async () => {
  for (const i of instances) await i?.kill();
  await lb?.stop();
  await new Promise((r) => (source ? source.close(r) : r()));
  await pg?.stop();
});

/** Lines the rebuild command has written so far. */
const rebuildRuns = () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0);

/** The whole export, through the balancer. */
async function exported() {
  const r = await call(`${lb.url}/api/export`);
  assert.equal(r.status, 200, r.text);
  return r.json.comments;
}

/** Waits until the rebuild log has not moved for `quietMs`; its line count then. */
async function rebuildsSettled(quietMs = DEBOUNCE_MS * 3) {
  let last = rebuildRuns();
  let since = Date.now();
  await waitFor(
    () => {
      const now = rebuildRuns();
      if (now !== last) [last, since] = [now, Date.now()];
      return Date.now() - since >= quietMs;
    },
    { timeoutMs: 30_000, what: 'the rebuild log to settle' },
  );
  return last;
}

const killed = { index: 1, at: 0, url: '' };

test(`${TOTAL} comments from ${CLIENTS} visitors through nginx, one instance killed -9 halfway: each acknowledged comment is exported exactly once`, async (t) => {
  const attempts = [];
  const victim = instances[killed.index];
  killed.url = victim.url;
  const answers = await crowd(lb.url, {
    total: TOTAL,
    clients: CLIENTS,
    pages: PAGES,
    attempts,
    onAck: async (n) => {
      if (n === TOTAL / 2 && !killed.at) {
        killed.at = Date.now();
        await victim.kill('SIGKILL');
      }
    },
  });
  assert.ok(killed.at, 'the instance was killed during the run');
  assert.equal(answers.length, TOTAL);
  for (const a of answers) assert.equal(a.status, 201, `${a.token}: ${a.status} ${a.text}`);

  // The only 5xx a visitor saw: 502s from the killed instance's in-flight
  // requests, which the retry with the same key then settled.
  const victimHost = new URL(killed.url).host;
  const failed = attempts.filter((a) => a.status >= 500 || a.status === 0);
  for (const f of failed) {
    assert.equal(f.status, 502, `an unexpected failure: ${JSON.stringify(f)}`);
    assert.ok(f.upstream?.includes(victimHost), `a 502 from another instance: ${JSON.stringify(f)}`);
    assert.ok(f.at >= killed.at - 15_000, `a 502 long before the kill: ${JSON.stringify(f)}`);
  }
  assert.ok(failed.length <= CLIENTS, `${failed.length} failed attempts for ${CLIENTS} visitors in flight`);
  const retried = answers.filter((a) => a.tries > 1).length;
  t.diagnostic(`${failed.length} attempts failed (502 from the killed instance), ${retried} comments retried with their key`);
  assert.equal(retried, new Set(failed.map((f) => f.key)).size, 'every failed attempt was retried to an answer');

  // Each acknowledged comment exactly once, by body, in the export.
  const comments = await exported();
  const seen = new Map();
  for (const c of comments) {
    const m = /fleet-\d+-of-\d+/.exec(c.body_html);
    if (m) seen.set(m[0], (seen.get(m[0]) || 0) + 1);
  }
  const missing = answers.filter((a) => !seen.has(a.token)).map((a) => a.token);
  const doubled = [...seen].filter(([, n]) => n !== 1);
  assert.deepEqual(missing, [], 'acknowledged comments missing from the export');
  assert.deepEqual(doubled, [], 'comments stored more than once');
  assert.equal(seen.size, TOTAL);
  // Retried keys got the same comment id as the first acknowledgement would have.
  assert.equal(new Set(answers.map((a) => a.json.id)).size, TOTAL, 'one id per comment');
});

test('the killed instance comes back on its port and serves the thread, then takes traffic from nginx again', async () => {
  assert.ok(killed.at, 'the run above killed an instance');
  const { host } = new URL(killed.url);
  const back = await startInstance({ config, listen: host });
  instances[killed.index] = back;
  assert.equal(back.url, killed.url);
  const page = PAGES[3];
  const [mine, other] = await Promise.all([
    call(`${back.url}/api/comments?page=${encodeURIComponent(page)}`),
    call(`${instances[0].url}/api/comments?page=${encodeURIComponent(page)}`),
  ]);
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.text, other.text, 'the restarted instance answers what the others answer');
  assert.equal(JSON.stringify(mine.json).match(/fleet-\d+-of-/g)?.length, TOTAL / PAGES.length);
  // nginx tries the instance again after fail_timeout (2 s).
  await waitFor(
    async () => {
      const r = await call(`${lb.url}/api/comments?page=${encodeURIComponent(page)}`);
      assert.equal(r.status, 200, r.text);
      return r.headers.get('x-upstream') === host;
    },
    { timeoutMs: 20_000, what: 'nginx to send a GET to the restarted instance' },
  );
});

test('a burst of changes through all three instances runs the rebuild command once', async () => {
  const before = await rebuildsSettled();
  for (let round = 0; round < 3; round++) {
    for (const inst of instances) {
      const r = await call(`${inst.url}/api/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ page: PAGES[0], body: `Burst ${round} on ${inst.url}.`, author: 'Burst' }),
      });
      assert.equal(r.status, 201, r.text);
    }
  }
  await waitFor(() => rebuildRuns() > before, { timeoutMs: 20_000, what: 'the rebuild command to run' });
  // Well past the debounce: no instance runs it a second time.
  await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 3));
  assert.equal(rebuildRuns() - before, 1, readFileSync(runs, 'utf8'));
});

test('a Webmention sent to one instance is fetched and stored once across the fleet', async () => {
  const src = `http://127.0.0.1:${source.address().port}/source.html`;
  const target = `http://127.0.0.1:${sitePort}/posts/fleet-0/`;
  const r = await call(`${instances[0].url}/webmention`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ source: src, target }).toString(),
  });
  assert.ok([201, 202].includes(r.status), r.text);
  const stored = await waitFor(
    async () => {
      const mine = (await exported()).filter((c) => c.source === src);
      return mine.length ? mine : null;
    },
    { timeoutMs: 30_000, what: 'the verified mention in the export' },
  );
  // Give the other instances' workers time to (wrongly) claim it too.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(stored.length, 1);
  assert.equal((await exported()).filter((c) => c.source === src).length, 1, 'one stored mention');
  assert.equal(sourceFetches, 1, 'one fetch of the source across all instances');
});

test('the database password never appears in any instance output', () => {
  for (const i of instances) {
    const { stdout, stderr } = i.output();
    assert.ok(!stdout.includes(db.password) && !stderr.includes(db.password), `password in the output of ${i.url}`);
  }
});
