// The blog on the fediverse with a real peer: a Fedify Federation
// (fediverse/peer.mjs, npm `@fedify/fedify`) follows the blog whose actor
// the generator published (served by nginx with the documented rules) and
// whose inbox the real causerie-comments runs. Fedify signs the Follow, the
// service verifies it, stores the follower and answers a signed Accept that
// Fedify verifies against the key in the published actor document. Forged,
// replayed and private-address requests are refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { bin, causerie, run, tmpdir, repoRoot, waitFor, startService } from './lib.mjs';
import { freePort, startNginx } from './fediverse/nginx.mjs';
import { startPostgres } from './postgres.mjs';

const TOKEN = 'the-admin-token-123';
let work, site, svc, nginx, peer, peerUrl, actorUrl;
const stops = [];

function serviceConfig(siteUrl, privateOk, moderation = 'none') {
  return `site_url = "${siteUrl}"\nallow_private_addresses = ${privateOk}\nmoderation = "${moderation}"\nadmin_token = "${TOKEN}"\n\n[activitypub]\nusername = "blog"\n`;
}

async function startPeer() {
  const proc = spawn(process.execPath, [join(repoRoot, 'tests/e2e/fediverse/peer.mjs')], {
    cwd: join(repoRoot, 'tests'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const url = await waitFor(
    () => {
      if (proc.exitCode !== null) throw new Error(`peer exited ${proc.exitCode}: ${err}`);
      const m = out.match(/^http:\/\/127\.0\.0\.1:\d+/);
      return m ? m[0] : null;
    },
    { what: 'the Fedify peer', timeoutMs: 30_000 },
  );
  return { proc, url, err: () => err };
}

async function peerCall(path, body) {
  const r = await fetch(`${peerUrl}/_peer/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

async function followers(service = svc) {
  const r = await fetch(`${service.url}/activitypub/followers`);
  assert.equal(r.status, 200);
  return (await r.json()).totalItems;
}

before(async () => {
  work = tmpdir('causerie-fedi-');
  const port = await freePort();
  const siteUrl = `http://127.0.0.1:${port}/`;
  mkdirSync(join(work, 'svc'));
  svc = await startService({ config: serviceConfig(siteUrl, true), dir: join(work, 'svc') });
  stops.push(() => svc.stop());
  site = join(work, 'site');
  mkdirSync(join(site, 'content/posts'), { recursive: true });
  writeFileSync(
    join(site, 'causerie.toml'),
    `base_url = "${siteUrl}"\ntitle = "Fedi Blog"\n\n[comments]\nurl = "${svc.url}"\n\n[activitypub]\nusername = "blog"\n`,
  );
  writeFileSync(join(site, 'content/posts/hello.md'), '+++\ntitle = "Hello"\ndate = 2026-11-01\n+++\nHello, fediverse.\n');
  const b = causerie(['build', '--root', site]);
  assert.equal(b.code, 0, b.stderr);
  assert.doesNotMatch(b.stderr, /actor key/, 'the service gave the key');
  nginx = await startNginx(work, join(site, 'public'), port);
  stops.push(() => nginx.stop());
  actorUrl = `${siteUrl}activitypub/actor`;
  peer = await startPeer();
  peerUrl = peer.url;
  stops.push(async () => {
    const done = new Promise((r) => peer.proc.once('exit', r));
    peer.proc.kill('SIGTERM');
    await done;
  });
});

after(async () => {
  for (const s of stops.reverse()) await s();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the peer follows the blog and gets an Accept it verified; Undo unfollows', async () => {
  assert.equal(await followers(), 0);
  const f = await peerCall('follow', { actor: actorUrl });
  assert.equal(f.status, 200, JSON.stringify(f.json) + peer.err());
  assert.equal(await followers(), 1);
  const accepted = await waitFor(
    async () => (await peerCall('events')).json.find((e) => e.type === 'Accept'),
    { what: 'the Accept at the peer' },
  ).catch((e) => {
    throw new Error(`${e.message}\nservice: ${svc.output().stderr}\npeer: ${peer.err()}`);
  });
  assert.equal(accepted.actor, actorUrl, 'signed by the blog, verified by Fedify with the published key');
  assert.equal(accepted.object, f.json.sent);
  const u = await peerCall('undo', { actor: actorUrl });
  assert.equal(u.status, 200, JSON.stringify(u.json));
  assert.equal(await followers(), 0);
});

async function post(inbox, signed, body = signed.body) {
  const headers = { ...signed.headers };
  delete headers['content-length'];
  return fetch(inbox, { method: 'POST', headers, body });
}

for (const spec of ['draft-cavage-http-signatures-12', 'rfc9421']) {
  test(`${spec}: a signed Follow counts once; its replay, a forged body and an unsigned copy are refused`, async () => {
    const inbox = `${svc.url}/activitypub/inbox`;
    const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peerUrl}/follows/${spec}`, type: 'Follow', object: actorUrl };
    const signed = (await peerCall('signed', { inbox, activity, spec })).json;
    const forged = await post(inbox, signed, signed.body.replace('Follow', 'Folloz'));
    assert.equal(forged.status, 401, 'a body that is not the signed one');
    const first = await post(inbox, signed);
    assert.equal(first.status, 202, await first.text());
    assert.equal(await followers(), 1);
    const again = await post(inbox, signed);
    assert.equal(again.status, 401, 'the same signed request twice');
    assert.match((await again.json()).error.message, /already received/);
    const unsigned = await fetch(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: signed.body });
    assert.equal(unsigned.status, 401);
    const undo = (await peerCall('signed', { inbox, spec, activity: { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peerUrl}/undo/${spec}`, type: 'Undo', object: activity } })).json;
    assert.equal((await post(inbox, undo)).status, 202);
    assert.equal(await followers(), 0);
  });
}

/** POSTs the signed request to `url` as it was signed (its `host` too, as a
 * balancer passes it on), which fetch() would not keep. */
function postAs(url, signed) {
  return new Promise((resolve, reject) => {
    const headers = { ...signed.headers };
    delete headers['content-length'];
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(signed.body);
  });
}

test('two instances on one PostgreSQL: a request taken by one is refused as a replay by the other', async () => {
  const pg = await startPostgres();
  const db = pg.createDatabase('replays');
  const base = actorUrl.replace('activitypub/actor', '');
  const cfg = `database_url = "${db.url}"\n${serviceConfig(base, true)}`;
  const [a, b] = await Promise.all([
    startService({ config: cfg, dir: tmpdir('causerie-fedi-a-') }),
    startService({ config: cfg, dir: tmpdir('causerie-fedi-b-') }),
  ]);
  try {
    const ctx = 'https://www.w3.org/ns/activitystreams';
    const sign = async (id) =>
      (await peerCall('signed', { inbox: `${a.url}/activitypub/inbox`, activity: { '@context': ctx, id: `${peerUrl}/follows/${id}`, type: 'Follow', object: actorUrl } })).json;
    // B takes a request signed for A's address (as behind a balancer)...
    const fresh = await postAs(`${b.url}/activitypub/inbox`, await sign('to-b'));
    assert.equal(fresh.status, 202, fresh.text);
    // ...but not one that A took already
    const signed = await sign('replayed');
    const first = await postAs(`${a.url}/activitypub/inbox`, signed);
    assert.equal(first.status, 202, first.text);
    const replay = await postAs(`${b.url}/activitypub/inbox`, signed);
    assert.equal(replay.status, 401, replay.text);
    assert.match(JSON.parse(replay.text).error.message, /already received/);
    assert.equal(pg.psql('replays', 'SELECT count(*) FROM ap_replays'), '2');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await pg.stop();
    for (const d of [a.dir, b.dir, pg.dir]) rmSync(d, { recursive: true, force: true });
  }
});

test('an actor on a private address is refused without allow_private_addresses', async () => {
  const strict = await startService({ config: serviceConfig(`http://127.0.0.1:9/`, false), dir: tmpdir('causerie-fedi-strict-') });
  try {
    const inbox = `${strict.url}/activitypub/inbox`;
    const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${peerUrl}/follows/strict`, type: 'Follow', object: 'http://127.0.0.1:9/activitypub/actor' };
    const signed = (await peerCall('signed', { inbox, activity })).json;
    const r = await post(inbox, signed);
    assert.equal(r.status, 401);
    assert.match((await r.json()).error.message, /not a public address/);
    assert.equal(await followers(strict), 0);
  } finally {
    await strict.stop();
    rmSync(strict.dir, { recursive: true, force: true });
  }
});

/** A fixture with its placeholders filled. */
function fixture(name, vars) {
  let text = readFileSync(join(repoRoot, 'tests/e2e/fixtures/fediverse', name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, v);
  return JSON.parse(text);
}

async function send(activity, as = 'alice') {
  const r = await peerCall('send', { inbox: `${svc.url}/activitypub/inbox`, activity, as });
  assert.equal(r.status, 200);
  return r.json;
}

async function thread() {
  const r = await fetch(`${svc.url}/api/comments?page=/posts/hello/`);
  assert.equal(r.status, 200);
  return r.json();
}

function flat(items) {
  return items.flatMap((c) => [c, ...flat(c.replies ?? [])]);
}

test('replies, likes, boosts, edits and deletes from the peer reach the JSON and the baked page', async () => {
  const alice = `${peerUrl}/users/alice`;
  const postUrl = `${actorUrl.replace('activitypub/actor', '')}posts/hello/`;
  const vars = { ACTOR: alice, PEER: peerUrl, BLOG_ACTOR: actorUrl, POST: postUrl, POST_OBJECT: `${postUrl}activity.json` };
  const ctx = 'https://www.w3.org/ns/activitystreams';

  // A Mastodon reply with a mention and a content warning.
  const reply = fixture('mastodon-reply.json', vars);
  assert.equal((await send(reply)).status, 202);
  let items = flat((await thread()).comments ?? []);
  let r = items.find((c) => c.kind === 'reply');
  assert.ok(r, JSON.stringify(items));
  assert.equal(r.author, 'Alice Peer');
  assert.match(r.body_html, /CW: Spoilers for the ending/);
  assert.match(r.body_html, /The butler did it, surely\?/);
  assert.doesNotMatch(r.body_html, /<script/);

  // A reply to that reply (Mastodon names the note it answers) is threaded.
  const noteId = reply.object.id;
  const second = { '@context': ctx, id: `${alice}/statuses/3/activity`, type: 'Create', actor: alice, object: { id: `${alice}/statuses/3`, type: 'Note', attributedTo: alice, inReplyTo: noteId, content: '<p>Answering myself.</p>' } };
  assert.equal((await send(second)).status, 202);
  const top = ((await thread()).comments ?? []).find((c) => c.id === r.id);
  assert.ok(top?.replies?.some((c) => c.body_html.includes('Answering myself.')), JSON.stringify(top));

  // A like and a Mastodon boost of the post.
  const like = { '@context': ctx, id: `${alice}#likes/1`, type: 'Like', actor: alice, object: postUrl };
  assert.equal((await send(like)).status, 202);
  assert.equal((await send(fixture('mastodon-boost.json', vars))).status, 202);
  items = flat((await thread()).comments ?? []);
  assert.equal(items.filter((c) => c.kind === 'like').length, 1);
  assert.equal(items.filter((c) => c.kind === 'repost').length, 1);

  // Bob may neither edit nor delete Alice's note.
  const bob = `${peerUrl}/users/bob`;
  const theft = { '@context': ctx, id: `${bob}/deletes/1`, type: 'Delete', actor: bob, object: noteId };
  assert.equal((await send(theft, 'bob')).status, 403);
  const forgedEdit = { '@context': ctx, id: `${bob}/updates/1`, type: 'Update', actor: bob, object: { ...reply.object, attributedTo: bob, content: '<p>Bob was here.</p>' } };
  assert.equal((await send(forgedEdit, 'bob')).status, 403);
  assert.equal((await send({ ...reply, id: `${bob}/x`, actor: alice }, 'bob')).status, 401, 'signed by bob, claiming alice');

  // An edit.
  const edit = { '@context': ctx, id: `${noteId}#updates/1`, type: 'Update', actor: alice, object: { ...reply.object, summary: null, content: '<p>Edited: the gardener.</p>' } };
  assert.equal((await send(edit)).status, 202);
  items = flat((await thread()).comments ?? []);
  r = items.find((c) => c.id === r.id);
  assert.match(r.body_html, /Edited: the gardener\./);

  // Baked into the page at the next build.
  const b = causerie(['build', '--root', site]);
  assert.equal(b.code, 0, b.stderr);
  const page = readFileSync(join(site, 'public/posts/hello/index.html'), 'utf8');
  assert.match(page, /Edited: the gardener\./);
  assert.match(page, /Answering myself\./);
  assert.match(page, /Alice Peer/);
  assert.match(page, /id="likes-title"/);
  // And in the comment feeds (the post's and the site's), like any reply.
  for (const feed of ['public/posts/hello/comments.xml', 'public/comments.xml']) {
    const xml = readFileSync(join(site, feed), 'utf8');
    assert.match(xml, /Edited: the gardener\./, feed);
    assert.match(xml, /Alice Peer/, feed);
  }

  // Undo of the like, Delete of the second note.
  assert.equal((await send({ '@context': ctx, id: `${alice}#likes/1/undo`, type: 'Undo', actor: alice, object: like })).status, 202);
  assert.equal((await send({ '@context': ctx, id: `${alice}/statuses/3#delete`, type: 'Delete', actor: alice, object: { id: `${alice}/statuses/3`, type: 'Tombstone' } })).status, 202);
  items = flat((await thread()).comments ?? []);
  assert.equal(items.filter((c) => c.kind === 'like').length, 0);
  assert.ok(!items.some((c) => c.body_html?.includes('Answering myself.')));
  const b2 = causerie(['build', '--root', site]);
  assert.equal(b2.code, 0, b2.stderr);
  const page2 = readFileSync(join(site, 'public/posts/hello/index.html'), 'utf8');
  assert.doesNotMatch(page2, /Answering myself\./);
  assert.match(page2, /Edited: the gardener\./);
});

async function publish(token = TOKEN) {
  const r = await fetch(`${svc.url}/activitypub/publish`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

function writePost(slug, front, body) {
  writeFileSync(join(site, `content/posts/${slug}.md`), `+++\n${front}\n+++\n${body}\n`);
  const b = causerie(['build', '--root', site]);
  assert.equal(b.code, 0, b.stderr);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a reply, like or boost of no page of the blog is refused with 400, as Webmention refuses its targets', async () => {
  const base = actorUrl.replace('activitypub/actor', '');
  // started after the build, so it has the site's pages manifest
  const own = await startService({ config: serviceConfig(base, true), dir: tmpdir('causerie-fedi-pages-') });
  try {
    await waitFor(() => /pages manifest loaded/.test(own.output().stderr), { what: 'the pages manifest' });
    const alice = `${peerUrl}/users/alice`;
    const ctx = 'https://www.w3.org/ns/activitystreams';
    const inbox = `${own.url}/activitypub/inbox`;
    const sendHere = async (activity) => (await peerCall('send', { inbox, activity })).json;
    const refused = async (activity, field, why) => {
      const r = await sendHere(activity);
      assert.equal(r.status, 400, r.body);
      const e = JSON.parse(r.body).error;
      assert.equal(e.field, field);
      assert.match(e.message, why);
    };
    const like = (n, object) => ({ '@context': ctx, id: `${alice}#likes/pages-${n}`, type: 'Like', actor: alice, object });
    await refused(like(1, `${base}posts/nope/`), 'object', /not a page of this site/);
    await refused(like(2, `${base}posts/nope/activity.json`), 'object', /not a page of this site/);
    await refused(like(3, 'https://elsewhere.example/posts/hello/'), 'object', /not on this site/);
    const boost = { '@context': ctx, id: `${alice}/statuses/pages-b/activity`, type: 'Announce', actor: alice, object: `${base}posts/nope/` };
    await refused(boost, 'object', /not a page of this site/);
    const reply = (n, inReplyTo) => ({ '@context': ctx, id: `${alice}/statuses/pages-${n}/activity`, type: 'Create', actor: alice, object: { id: `${alice}/statuses/pages-${n}`, type: 'Note', attributedTo: alice, inReplyTo, content: '<p>Lost?</p>' } });
    await refused(reply(4, `${base}posts/nope/`), 'object.inReplyTo', /not a page of this site/);
    await refused(reply(5, 'https://elsewhere.example/notes/1'), 'object.inReplyTo', /not on this site/);
    // a page of the blog is still taken, and nothing landed elsewhere
    assert.equal((await sendHere(like(6, `${base}posts/hello/`))).status, 202);
    assert.equal((await sendHere(reply(7, `${base}posts/hello/activity.json`))).status, 202);
    const items = async (page) => flat((await (await fetch(`${own.url}/api/comments?page=${page}`)).json()).comments ?? []);
    assert.deepEqual((await items('/posts/hello/')).map((c) => c.kind).sort(), ['like', 'reply']);
    assert.deepEqual(await items('/posts/nope/'), []);
  } finally {
    await own.stop();
    rmSync(own.dir, { recursive: true, force: true });
  }
});

test('new and edited posts reach the follower signed, once, even across a kill -9 mid-send', async () => {
  const f = await peerCall('follow', { actor: actorUrl });
  assert.equal(f.status, 200, JSON.stringify(f.json));
  assert.equal((await publish('wrong-token-000')).status, 401);
  // The trigger as deployments run it: `causerie activitypub send`.
  const send = () => causerie(['activitypub', 'send', '--root', site], { env: { ...process.env, CAUSERIE_ADMIN_TOKEN: TOKEN } });
  const first = send();
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /first publish: the posts so far are recorded/, 'the first publish tells nobody about the archive');
  assert.doesNotMatch(first.stdout + first.stderr, new RegExp(TOKEN));

  const base = actorUrl.replace('activitypub/actor', '');
  const news = `${base}posts/news/activity.json`;
  writePost('news', 'title = "News"\ndate = 2026-11-25', 'Fresh news.');
  const q = send();
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /activitypub: 1 new and 0 changed posts, 1 deliveries queued/);
  const created = await waitFor(
    async () => (await peerCall('events')).json.find((e) => e.type === 'Create' && e.object === news),
    { what: 'the Create at the peer' },
  );
  assert.equal(created.actor, actorUrl, 'Fedify verified the blog\'s signature');

  writePost('news', 'title = "News"\ndate = 2026-11-25\nupdated = 2026-11-26', 'Fresh news, corrected.');
  const u = await publish();
  assert.deepEqual([u.json.created, u.json.updated, u.json.deliveries], [0, 1, 1]);
  await waitFor(
    async () => (await peerCall('events')).json.find((e) => e.type === 'Update' && e.object === news),
    { what: 'the Update at the peer' },
  );
  assert.equal((await publish()).json.deliveries, 0, 'nothing new, nothing sent');

  // kill -9 while the peer holds the delivery: sent again after the
  // restart, taken once.
  const third = `${base}posts/third/activity.json`;
  await peerCall('hold', { ms: 2500 });
  writePost('third', 'title = "Third"\ndate = 2026-11-27', 'Third post.');
  assert.equal((await publish()).json.deliveries, 1);
  const createId = `${third}#create`;
  await waitFor(async () => (await peerCall('received')).json[createId] === 1, { what: 'the delivery in flight' });
  await svc.stop('SIGKILL');
  await peerCall('hold', { ms: 0 });
  svc = await startService({ config: serviceConfig(base, true), dir: svc.dir });
  await waitFor(async () => (await peerCall('received')).json[createId] >= 2, { what: 'the delivery sent again', timeoutMs: 20_000 });
  await sleep(1000);
  const creates = (await peerCall('events')).json.filter((e) => e.type === 'Create' && e.object === third);
  assert.equal(creates.length, 1, 'taken once');
});

test('under first-time moderation the first reply from a server is held', async () => {
  const base = actorUrl.replace('activitypub/actor', '');
  const held = await startService({ config: serviceConfig(base, true, 'first-time'), dir: tmpdir('causerie-fedi-held-') });
  try {
    const alice = `${peerUrl}/users/alice`;
    const activity = fixture('mastodon-reply.json', { ACTOR: alice, PEER: peerUrl, BLOG_ACTOR: actorUrl, POST: `${base}posts/hello/`, POST_OBJECT: '' });
    const r = await peerCall('send', { inbox: `${held.url}/activitypub/inbox`, activity });
    assert.equal(r.json.status, 202, r.json.body);
    const t = await (await fetch(`${held.url}/api/comments?page=/posts/hello/`)).json();
    assert.equal((t.comments ?? []).length, 0, 'held, not published');
    // In the store: pending, for the reason first-time (python3's sqlite3).
    const q = spawnSync('python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select kind, status, held_reason from comments").fetchall())`, held.db], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    assert.equal(q.stdout.trim(), "[('reply', 'pending', 'first-time')]");
  } finally {
    await held.stop();
    rmSync(held.dir, { recursive: true, force: true });
  }
});

test('moved to PostgreSQL with migrate-db: the key and followers go along, a new post is delivered once', async () => {
  const pg = await startPostgres();
  const base = actorUrl.replace('activitypub/actor', '');
  const db = pg.createDatabase('fedi');
  const dir = tmpdir('causerie-fedi-pg-');
  // What the SQLite instance told so far is recorded there (a baseline on
  // a first run); then it moves with migrate-db: the key pair (a settings
  // row), the followers and that record go along, so the published actor
  // still names the key and the old posts are not announced again.
  assert.equal((await publish()).status, 200);
  const moved = run(bin('causerie-comments'), ['migrate-db', '--to', db.url, '--db', svc.db], { cwd: dir });
  assert.equal(moved.code, 0, moved.stderr);
  // (This instance lists its followers: [activitypub] show_followers.)
  const pgSvc = await startService({ config: `database_url = "${db.url}"\n${serviceConfig(base, true)}show_followers = true\n`, dir });
  try {
    const alice = `${peerUrl}/users/alice`;
    const ctx = 'https://www.w3.org/ns/activitystreams';
    const follow = { '@context': ctx, id: `${alice}/follows/pg`, type: 'Follow', actor: alice, object: actorUrl };
    const r = await peerCall('send', { inbox: `${pgSvc.url}/activitypub/inbox`, activity: follow });
    assert.equal(r.json.status, 202, r.json.body);
    assert.equal(await followers(pgSvc), 1, 'alice, moved from SQLite and following again');
    const listed = await (await fetch(`${pgSvc.url}/activitypub/followers`)).json();
    assert.deepEqual(listed.orderedItems, [alice]);
    const counted = await (await fetch(`${svc.url}/activitypub/followers`)).json();
    assert.equal(counted.orderedItems, undefined, 'by default the count only');
    const publishTo = async () => {
      const p = await fetch(`${pgSvc.url}/activitypub/publish`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(p.status, 200);
      return p.json();
    };
    const again = await publishTo();
    assert.deepEqual([again.baseline, again.created, again.deliveries], [false, 0, 0]);
    writePost('pg-news', 'title = "PG news"\ndate = 2026-11-28', 'From PostgreSQL.');
    const q = await publishTo();
    assert.deepEqual([q.created, q.deliveries], [1, 1]);
    const object = `${base}posts/pg-news/activity.json`;
    await waitFor(
      async () => (await peerCall('events')).json.find((e) => e.type === 'Create' && e.object === object),
      { what: 'the Create from the PostgreSQL instance' },
    ).catch((e) => {
      throw new Error(`${e.message}\nservice: ${pgSvc.output().stderr}\npeer: ${peer.err()}`);
    });
    assert.equal((await publishTo()).deliveries, 0);
    assert.equal(pg.psql('fedi', `SELECT count(*) FROM ap_deliveries WHERE done_us IS NOT NULL AND activity_id = '${object}#create'`), '1');
  } finally {
    await pgSvc.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(pg.dir, { recursive: true, force: true });
  }
});
