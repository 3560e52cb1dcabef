// The fediverse documents behind a real nginx, configured with exactly the
// lines docs/activitypub.md gives (read from between its markers):
// WebFinger answers whatever the query string, the actor, outbox and post
// objects are `application/activity+json`, and a post URL asked for with
// `Accept: application/activity+json` answers the object.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { causerie, tmpdir, repoRoot, waitFor } from './lib.mjs';

let work, nginx, base;

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** The nginx lines of the docs, between the markers. */
function documentedRules() {
  const doc = readFileSync(join(repoRoot, 'docs/activitypub.md'), 'utf8');
  const m = doc.match(/<!-- nginx-activitypub -->\s*```nginx\n([\s\S]*?)```/);
  assert.ok(m, 'docs/activitypub.md lost its nginx block');
  return m[1];
}

before(async () => {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  assert.equal(which.status, 0, 'nginx is missing: apt-get install -y nginx (.ci/run does)');
  work = tmpdir('causerie-ap-nginx-');
  const site = join(work, 'site');
  const out = join(site, 'public');
  mkdirSync(join(site, 'content/posts'), { recursive: true });
  writeFileSync(
    join(site, 'causerie.toml'),
    'base_url = "https://notes.example/"\ntitle = "Fedi Notes"\n\n[comments]\nurl = "http://127.0.0.1:9"\n\n[activitypub]\nusername = "notes"\n',
  );
  writeFileSync(
    join(site, 'content/posts/hello.md'),
    '+++\ntitle = "Hello"\ndate = 2026-11-01\n+++\nHello, fediverse.\n',
  );
  const b = causerie(['build', '--root', site]);
  assert.equal(b.code, 0, b.stderr);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const prefix = join(work, 'nginx');
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${prefix}/tmp/${t};`)
    .join('\n  ');
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${user}
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events {}
http {
  access_log off;
  include /etc/nginx/mime.types;
  ${temps}
  server {
    listen 127.0.0.1:${port};
    root ${out};
${documentedRules()}
  }
}
`,
  );
  const args = ['-p', prefix, '-e', `${prefix}/error.log`, '-c', join(prefix, 'nginx.conf')];
  const t = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8' });
  assert.equal(t.status, 0, `nginx -t refuses the documented configuration:\n${t.stderr}`);
  nginx = spawn('nginx', args, { stdio: 'ignore' });
  await waitFor(async () => (await fetch(`${base}/`)).ok, { what: 'nginx' });
});

after(async () => {
  if (nginx) {
    const exited = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGTERM');
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test('WebFinger answers the account whatever the query string', async () => {
  for (const q of ['?resource=acct:notes@notes.example', '?resource=acct%3Anotes%40notes.example&rel=self', '']) {
    const r = await fetch(`${base}/.well-known/webfinger${q}`);
    assert.equal(r.status, 200, q);
    assert.match(r.headers.get('content-type'), /^application\/jrd\+json/);
    const j = await r.json();
    assert.equal(j.subject, 'acct:notes@notes.example');
    assert.equal(j.links[0].href, 'https://notes.example/activitypub/actor');
  }
});

test('the actor, the outbox and a post object are application/activity+json', async () => {
  for (const p of ['/activitypub/actor', '/activitypub/outbox', '/posts/hello/activity.json']) {
    const r = await fetch(`${base}${p}`);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), /^application\/activity\+json/, p);
  }
  const actor = await (await fetch(`${base}/activitypub/actor`)).json();
  assert.equal(actor.preferredUsername, 'notes');
});

test('a post URL negotiates: HTML for browsers, the object for fediverse servers', async () => {
  const html = await fetch(`${base}/posts/hello/`, { headers: { accept: 'text/html' } });
  assert.match(html.headers.get('content-type'), /^text\/html/);
  assert.match(await html.text(), /rel="alternate" type="application\/activity\+json"/);
  for (const accept of ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']) {
    const r = await fetch(`${base}/posts/hello/`, { headers: { accept } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/activity\+json/);
    const o = await r.json();
    assert.equal(o.id, 'https://notes.example/posts/hello/activity.json');
    assert.equal(o.type, 'Note');
  }
});
