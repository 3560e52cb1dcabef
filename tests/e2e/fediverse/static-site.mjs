// The fediverse documents of a built site, as a web server configured with
// the lines of docs/activitypub.md must serve them. Shared by the nginx
// and Caddy files, which differ only in the server they start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { causerie } from '../lib.mjs';

/** Builds a one-post site with `[activitypub]` under `work`; its output dir. */
export function buildFediSite(work) {
  const site = join(work, 'site');
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
  return join(site, 'public');
}

/** The three checks, against the server `base()` answers (set in `before`). */
export function staticChecks(server, base) {
  test(`${server}: WebFinger answers the account whatever the query string`, async () => {
    for (const q of ['?resource=acct:notes@notes.example', '?resource=acct%3Anotes%40notes.example&rel=self', '']) {
      const r = await fetch(`${base()}/.well-known/webfinger${q}`);
      assert.equal(r.status, 200, q);
      assert.match(r.headers.get('content-type'), /^application\/jrd\+json/);
      const j = await r.json();
      assert.equal(j.subject, 'acct:notes@notes.example');
      assert.equal(j.links[0].href, 'https://notes.example/activitypub/actor');
    }
  });

  test(`${server}: the actor, the outbox and a post object are application/activity+json`, async () => {
    for (const p of ['/activitypub/actor', '/activitypub/outbox', '/posts/hello/activity.json']) {
      const r = await fetch(`${base()}${p}`);
      assert.equal(r.status, 200, p);
      assert.match(r.headers.get('content-type'), /^application\/activity\+json/, p);
    }
    const actor = await (await fetch(`${base()}/activitypub/actor`)).json();
    assert.equal(actor.preferredUsername, 'notes');
  });

  test(`${server}: a post URL negotiates: HTML for browsers, the object for fediverse servers`, async () => {
    const html = await fetch(`${base()}/posts/hello/`, { headers: { accept: 'text/html' } });
    assert.match(html.headers.get('content-type'), /^text\/html/);
    assert.match(await html.text(), /rel="alternate" type="application\/activity\+json"/);
    for (const accept of ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']) {
      const r = await fetch(`${base()}/posts/hello/`, { headers: { accept } });
      assert.equal(r.status, 200, accept);
      assert.match(r.headers.get('content-type'), /^application\/activity\+json/, accept);
      const o = await r.json();
      assert.equal(o.id, 'https://notes.example/posts/hello/activity.json');
      assert.equal(o.type, 'Note');
    }
  });
}
