// Moving and keeping a PostgreSQL store, as DEPLOY.md tells an operator to:
// pg_dump of the live database restored into a fresh one serves the same
// export, and `causerie-comments migrate-db --to postgres://…` copies an
// SQLite store over, once (a second run adds nothing).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run, bin, startService, tmpdir } from './lib.mjs';
import { startPostgres, freePort } from './postgres.mjs';
import { startInstance, call } from './fleet.mjs';

let pg, sitePort;
const running = [];

before(async () => {
  pg = await startPostgres();
  sitePort = await freePort();
});

after(async () => {
  for (const s of running) await s.stop();
  await pg?.stop();
});

/** The service config; `extra` holds the store line (database_url or nothing). */
const config = (extra = '') => `site_url = "http://127.0.0.1:${sitePort}"
moderation = "none"
${extra}
[limits]
comments_per_minute = 0

[spam]
min_submit_seconds = 0
`;

/** A small conversation: two pages, a reply, markdown, a website. */
async function converse(base, tag) {
  const post = async (body) => {
    const r = await call(`${base}/api/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const first = await post({ page: '/posts/one/', author: 'Ada', body: `First *${tag}* comment.`, website: 'https://ada.example/' });
  await post({ page: '/posts/one/', author: 'Bob', body: `A reply to Ada (${tag}).`, parent: first });
  await post({ page: '/posts/two/', author: 'Cy', body: `On the second post, [a link](https://cy.example/) (${tag}).` });
}

/** The exported comments (the export's own cursor time left out). */
async function exportOf(base) {
  const r = await call(`${base}/api/export`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.comments.length > 0, 'the export is not empty');
  return r.json.comments;
}

test('pg_dump of the live database, restored into a fresh one with pg_restore, serves the same export', async () => {
  const live = pg.createDatabase('live');
  const a = await startInstance({ config: config(`database_url = "${live.url}"`) });
  running.push(a);
  await converse(a.url, 'live');
  const before = await exportOf(a.url);

  // As an operator would, while the instance keeps running.
  const dump = join(pg.dir, 'live.dump');
  const d = pg.tool('pg_dump', [...pg.clientArgs(), '-Fc', '-f', dump, 'live']);
  assert.equal(d.code, 0, d.stderr);
  const fresh = pg.createDatabase('restored', { user: 'causerie', password: live.password });
  const r = pg.tool('pg_restore', [...pg.clientArgs(), '--no-owner', '--role=causerie', '-d', 'restored', dump]);
  assert.equal(r.code, 0, r.stderr);

  const b = await startInstance({ config: config(`database_url = "${fresh.url}"`) });
  running.push(b);
  assert.deepEqual(await exportOf(b.url), before);
  // The restored database takes new comments (its sequences came along too).
  const n = await call(`${b.url}/api/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ page: '/posts/two/', author: 'Dee', body: 'After the restore.' }),
  });
  assert.equal(n.status, 201, n.text);
  assert.ok(!before.some((c) => c.id === n.json.id), 'a new id, not one of the restored ones');
});

test('migrate-db copies an SQLite store into PostgreSQL; the PG instance serves the same export; a second run adds nothing', async () => {
  const dir = tmpdir('causerie-migrate-');
  const sqlite = await startService({ config: config(), dir });
  await converse(sqlite.url, 'sqlite');
  const before = await exportOf(sqlite.url);
  await sqlite.stop();

  const target = pg.createDatabase('migrated', { user: 'migrator' });
  const cfg = join(dir, 'comments.toml');
  const migrate = () => run(bin('causerie-comments'), ['migrate-db', '--to', target.url, '--config', cfg, '--db', sqlite.db]);
  const first = migrate();
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  assert.ok(!(first.stdout + first.stderr).includes(target.password), 'the password is not printed');
  const dataDump = () => {
    const r = pg.tool('pg_dump', [...pg.clientArgs(), '--data-only', '--inserts', 'migrated']);
    assert.equal(r.code, 0, r.stderr);
    // pg_dump ≥ 15.14 fences the script with a random \restrict key.
    return r.stdout.replace(/^\\(un)?restrict .*$/gm, '');
  };

  const p = await startInstance({ config: config(`database_url = "${target.url}"`) });
  running.push(p);
  assert.deepEqual(await exportOf(p.url), before);
  await p.stop();
  const once = dataDump();

  const second = migrate();
  assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
  assert.equal(dataDump(), once, 'a second migrate-db changed the PostgreSQL data');
});
