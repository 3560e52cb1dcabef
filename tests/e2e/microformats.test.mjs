// The baked conversation as microformats readers see it (issue 12 §1).
// A real causerie-comments stores two comments (one a reply to the other)
// and verifies two real Webmentions (a reply and a like, from pages served
// on 127.0.0.1); `causerie build` bakes them into the post. Then the page is
// read the way other blogs and Bridgy read it: mf2py + mf2util's
// interpret_entry must return the post's `comment` and `like` lists with the
// right authors and URLs, and so must the npm microformats-parser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mf2 as parseMf2 } from 'microformats-parser';
import { causerie, startService, serveStatic, tmpdir, waitFor, python, vnu } from './lib.mjs';

let work, siteDir, out, site, sources, svc, page, postUrl;
const ids = {};

async function api(path, opts = {}) {
  const r = await fetch(svc.url + path, opts);
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text };
}

const comment = (body) =>
  api('/api/comments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  work = tmpdir('causerie-mf2-');
  siteDir = join(work, 'site');
  out = join(siteDir, 'public');
  mkdirSync(out, { recursive: true });
  mkdirSync(join(siteDir, 'content/posts'), { recursive: true });
  const srcDir = join(work, 'elsewhere');
  mkdirSync(srcDir);
  site = await serveStatic(out);
  sources = await serveStatic(srcDir);
  svc = await startService({
    config:
      `site_url = "${site.url}"\nmoderation = "none"\nallow_private_addresses = true\nexpose_photos = true\n\n` +
      `[limits]\ncomments_per_minute = 0\n\n[spam]\nmin_submit_seconds = 0\n`,
  });
  writeFileSync(
    join(siteDir, 'causerie.toml'),
    `base_url = "${site.url}/"\ntitle = "Microformats blog"\n\n[author]\nname = "Olive Owner"\nurl = "${site.url}/"\n\n[comments]\nurl = "${svc.url}"\n`,
  );
  writeFileSync(
    join(siteDir, 'content/posts/hello.md'),
    `+++\ntitle = "Hello readers"\ndate = "2026-11-01"\ntags = ["indieweb", "mf2"]\n+++\n\nA post with a conversation.\n`,
  );
  const first = causerie(['build', '--root', siteDir]);
  assert.equal(first.code, 0, first.stderr);
  postUrl = `${site.url}/posts/hello/`;

  const ada = await comment({ page: '/posts/hello/', author: 'Ada Lovelace', website: 'https://ada.example/', body: 'A first comment.' });
  assert.equal(ada.status, 201, ada.text);
  ids.ada = ada.json.id;
  const bob = await comment({ page: '/posts/hello/', author: 'Bob Builder', parent: ids.ada, body: 'An answer to Ada.' });
  assert.equal(bob.status, 201, bob.text);
  ids.bob = bob.json.id;

  // Two posts on another site: a reply and a like, each with an author h-card.
  const card = (name, home) =>
    `<span class="p-author h-card"><a class="u-url p-name" href="${home}">${name}</a><img class="u-photo" src="${home}me.jpg" alt=""></span>`;
  writeFileSync(
    join(srcDir, 'reply.html'),
    `<!doctype html><title>r</title><article class="h-entry">${card('Rita Replier', 'https://rita.example/')}` +
      `<a class="u-url" href="${sources.url}/reply.html">permalink</a>` +
      `<p>In reply to <a class="u-in-reply-to" href="${postUrl}">the post</a>.</p><div class="e-content">A reply from afar.</div></article>`,
  );
  writeFileSync(
    join(srcDir, 'like.html'),
    `<!doctype html><title>l</title><article class="h-entry">${card('Lia Liker', 'https://lia.example/')}` +
      `<a class="u-url" href="${sources.url}/like.html">permalink</a> <a class="u-like-of" href="${postUrl}">liked</a></article>`,
  );
  for (const name of ['reply', 'like']) {
    const r = await api('/webmention', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ source: `${sources.url}/${name}.html`, target: postUrl }).toString(),
    });
    assert.ok([201, 202].includes(r.status), r.text);
  }
  const kinds = await waitFor(
    async () => {
      const e = await api('/api/export');
      const wm = e.json.comments.filter((c) => (c.source || '').startsWith(sources.url));
      return wm.length === 2 ? Object.fromEntries(wm.map((c) => [c.kind, c])) : null;
    },
    { timeoutMs: 60_000, what: 'two verified Webmentions in the export' },
  );
  ids.reply = kinds.reply.id;
  ids.like = kinds.like.id;

  const built = causerie(['build', '--root', siteDir]);
  assert.equal(built.code, 0, built.stderr);
  page = readFileSync(join(out, 'posts/hello/index.html'), 'utf8');
  assert.match(page, new RegExp(`id="comment-${ids.like}"`), 'the like is baked');
});

after(async () => {
  await svc?.stop();
  await site?.close();
  await sources?.close();
});

test('mf2py + mf2util.interpret_entry find the comments (nested reply included) and the like, with their authors', () => {
  const got = JSON.parse(
    python(
      `import json, sys, mf2py, mf2util
url = sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(postUrl)}
parsed = mf2py.parse(doc=sys.stdin.read(), url=url)
entry = mf2util.interpret_entry(parsed, url, want_json=True)
def slim(e):
    return {"type": e.get("type"), "url": e.get("url"), "author": e.get("author"),
            "published": e.get("published"), "content": (e.get("content-plain") or "").strip(),
            "in-reply-to": [r.get("url") for r in e.get("in-reply-to", [])],
            "comment": [slim(c) for c in e.get("comment", [])]}
first = mf2util.find_first_entry(parsed, ["h-entry"])
print(json.dumps({"name": entry.get("name"), "url": entry.get("url"),
  "category": first["properties"].get("category"),
  "comment": [slim(c) for c in entry.get("comment", [])],
  "like": [slim(l) for l in entry.get("like", [])],
  "repost": entry.get("repost", [])}))`,
      page,
    ),
  );
  assert.equal(got.name, 'Hello readers');
  assert.equal(got.url, postUrl);
  assert.deepEqual(got.category, ['indieweb', 'mf2'], 'tag categories carry no #');

  assert.equal(got.comment.length, 2, `the post's comments are Ada's and Rita's: ${JSON.stringify(got.comment)}`);
  const [ada, rita] = got.comment;
  assert.equal(ada.type, 'entry');
  assert.equal(ada.url, `${postUrl}#comment-${ids.ada}`);
  assert.deepEqual(ada.author, { name: 'Ada Lovelace', url: 'https://ada.example/' });
  assert.match(ada.published, /^\d{4}-\d\d-\d\dT/);
  assert.equal(ada.content, 'A first comment.');
  assert.deepEqual(ada['in-reply-to'], [postUrl]);
  assert.equal(ada.comment.length, 1, "Bob's reply is a comment of Ada's comment");
  assert.equal(ada.comment[0].author.name, 'Bob Builder');
  assert.deepEqual(ada.comment[0]['in-reply-to'], [`${postUrl}#comment-${ids.ada}`]);

  assert.equal(rita.type, 'cite');
  assert.equal(rita.url, `${sources.url}/reply.html`);
  assert.deepEqual(rita.author, { name: 'Rita Replier', url: 'https://rita.example/', photo: 'https://rita.example/me.jpg' });
  assert.equal(rita.content, 'A reply from afar.');

  assert.equal(got.like.length, 1);
  assert.equal(got.like[0].type, 'cite');
  assert.equal(got.like[0].url, `${sources.url}/like.html`, "the h-cite's url is the like post");
  assert.deepEqual(
    got.like[0].author,
    { name: 'Lia Liker', url: 'https://lia.example/', photo: 'https://lia.example/me.jpg' },
    "the liker's h-card url is their home page, not the like post",
  );
  assert.deepEqual(got.repost, []);
});

test('microformats-parser (npm) reads the same comments and like as properties of the post', () => {
  const doc = parseMf2(page, { baseUrl: postUrl });
  const entry = doc.items.find((i) => i.type.includes('h-entry'));
  assert.ok(entry, 'the post is a top-level h-entry');
  assert.deepEqual(entry.properties.category, ['indieweb', 'mf2']);
  const comments = entry.properties.comment || [];
  assert.deepEqual(
    comments.map((c) => [c.type[0], c.properties.author[0].properties.name[0], c.properties.url[0]]),
    [
      ['h-entry', 'Ada Lovelace', `${postUrl}#comment-${ids.ada}`],
      ['h-cite', 'Rita Replier', `${sources.url}/reply.html`],
    ],
  );
  assert.deepEqual(comments[0].properties.author[0].properties.url, ['https://ada.example/']);
  const nested = comments[0].properties.comment || [];
  assert.equal(nested.length, 1);
  assert.equal(nested[0].properties.author[0].properties.name[0], 'Bob Builder');
  assert.ok(comments[0].properties.published[0].startsWith('20'));
  assert.equal(comments[0].properties.content[0].value, 'A first comment.');

  const likes = entry.properties.like || [];
  assert.equal(likes.length, 1);
  assert.deepEqual(likes[0].type, ['h-cite']);
  assert.deepEqual(likes[0].properties.url, [`${sources.url}/like.html`]);
  const liker = likes[0].properties.author[0];
  assert.deepEqual(liker.type, ['h-card']);
  assert.deepEqual(liker.properties.name, ['Lia Liker']);
  assert.deepEqual(liker.properties.url, ['https://lia.example/']);
  assert.deepEqual(liker.properties.photo, ['https://lia.example/me.jpg']);
  // Nothing of the conversation leaks into the post's own properties.
  assert.deepEqual(entry.properties.name, ['Hello readers']);
  assert.equal(entry.properties.author.length, 1);
  assert.equal(entry.properties.content.length, 1);
  assert.equal(entry.properties.url[0], postUrl);
});

test('the page stays valid HTML with the conversation inside the h-entry', () => {
  assert.ok(page.indexOf('<section id="comments"') < page.lastIndexOf('</article>'));
  const errors = vnu([join(out, 'posts/hello/index.html')]);
  assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
});
