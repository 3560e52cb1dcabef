// The example blog at the repository root, built by the real `causerie`
// binary, checked by outside validators: the Nu HTML Checker (zero errors),
// Python feedparser (every feed parses cleanly) and mf2py (every post is an
// h-entry with name, published, content, url and an author h-card).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, tmpdir, causerie, vnu, feedparse, mf2 } from './lib.mjs';

let out;

/** Every file under `dir`, relative paths. */
function files(dir) {
  const acc = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else acc.push(relative(dir, p));
    }
  };
  walk(dir);
  return acc.sort();
}

before(() => {
  out = join(tmpdir('causerie-site-'), 'public');
  const r = causerie(['build', '--root', repoRoot, '--output', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^built \d+ pages and \d+ other files/);
});

test('the example site has the pages the contract names', () => {
  for (const f of ['index.html', 'feed.xml', 'rss.xml', 'feed.json', 'sitemap.xml', 'robots.txt', '404.html',
    'about/index.html', 'tags/index.html', 'causerie-pages.json',
    'posts/welcome-to-causerie/index.html', 'posts/welcome-to-causerie/comments.xml',
    'posts/a-walk-in-the-garden/garden.svg', 'posts/salam-donya/index.html', 'posts/old-address/index.html']) {
    assert.ok(existsSync(join(out, f)), `missing ${f}`);
  }
  assert.ok(!existsSync(join(out, 'posts/work-in-progress')), 'drafts stay out');
  assert.ok(!existsSync(join(out, 'posts/from-the-future')), 'scheduled posts stay out');
});

test('every HTML page passes the Nu HTML Checker with zero errors', () => {
  const errors = vnu([out]);
  assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
});

test('every feed parses cleanly with feedparser', () => {
  const feeds = files(out).filter((f) => f.endsWith('.xml') && f !== 'sitemap.xml');
  assert.ok(feeds.length > 5);
  for (const f of feeds) {
    const d = feedparse(join(out, f));
    assert.equal(d.bozo, 0, `${f}: ${d.bozo_exception}`);
    assert.ok(d.title, `${f} has a title`);
    if (!f.endsWith('comments.xml')) assert.ok(d.entries.length > 0, `${f} has entries`);
  }
  const site = feedparse(join(out, 'feed.xml'));
  assert.equal(site.version, 'atom10');
  assert.equal(feedparse(join(out, 'rss.xml')).version, 'rss20');
  assert.ok(site.entries.some((e) => e.link === 'http://127.0.0.1:1111/posts/welcome-to-causerie/'));
  const json = JSON.parse(readFileSync(join(out, 'feed.json'), 'utf8'));
  assert.equal(json.version, 'https://jsonfeed.org/version/1.1');
  assert.ok(json.items.length > 0 && json.items.every((i) => i.id && i.content_html));
});

test('every post is an h-entry with name, published, content, url and an author h-card', () => {
  const posts = files(out).filter((f) => /^posts\/[^/]+\/index\.html$/.test(f));
  assert.ok(posts.length >= 4);
  for (const f of posts) {
    const html = readFileSync(join(out, f), 'utf8');
    if (html.includes('http-equiv="refresh"')) continue; // alias redirect page
    const url = `http://127.0.0.1:1111/${f.replace(/index\.html$/, '')}`;
    const doc = mf2(html, url);
    const entry = doc.items.find((i) => i.type.includes('h-entry'));
    assert.ok(entry, `${f}: no h-entry`);
    const p = entry.properties;
    for (const key of ['name', 'published', 'content', 'url', 'author']) assert.ok(p[key]?.length, `${f}: no ${key}`);
    assert.ok(p.url.includes(url), `${f}: u-url ${p.url} should be ${url}`);
    assert.ok(p.content[0].html.length > 0);
    const author = p.author[0];
    assert.ok(author.type?.includes('h-card'), `${f}: p-author is not an h-card`);
    assert.equal(author.properties.name[0], 'Ada Causer');
    assert.ok(doc.rels.webmention?.[0].endsWith('/webmention'), `${f}: rel=webmention`);
  }
  const home = mf2(readFileSync(join(out, 'index.html'), 'utf8'), 'http://127.0.0.1:1111/');
  assert.ok(home.items.some((i) => i.type.includes('h-card')), 'the site has an h-card');
  assert.ok(home.items.some((i) => i.type.includes('h-feed')), 'the index is an h-feed');
  assert.ok(home.rels.me.includes('https://github.com/causerie'), 'rel=me links from config');
});

test('the Persian post is right-to-left and the conversation hooks are there', () => {
  const fa = readFileSync(join(out, 'posts/salam-donya/index.html'), 'utf8');
  // the post's title and text are Persian, right to left; the page around them
  // (dates, tags, the conversation) stays in the site's language
  assert.match(fa, /<h1 class="p-name" lang="fa" dir="rtl">/);
  assert.match(fa, /<div class="e-content" lang="fa" dir="rtl">/);
  assert.match(fa, /<article class="h-entry post">/);
  assert.match(fa, /#<bdi class="p-category">فارسی<\/bdi><\/a>/);
  const post = readFileSync(join(out, 'posts/welcome-to-causerie/index.html'), 'utf8');
  assert.match(post, /<section id="comments" class="conversation"/);
  assert.match(post, /<form id="comment-form" class="comment-form" method="post" action="http:\/\/127\.0\.0\.1:8787\/api\/comments">/);
  assert.match(post, /<script src="http:\/\/127\.0\.0\.1:8787\/embed\.js" defer><\/script>/);
  const closed = readFileSync(join(out, 'posts/moving-house/index.html'), 'utf8');
  assert.match(closed, /data-causerie-closed="true"/);
  const manifest = JSON.parse(readFileSync(join(out, 'causerie-pages.json'), 'utf8'));
  assert.equal(manifest.version, 1);
  assert.equal(manifest.pages['/posts/moving-house/'].comments, 'closed');
  assert.equal(manifest.pages['/posts/welcome-to-causerie/'].comments, 'open');
});

test('two builds of the same commit are byte-identical', () => {
  const again = join(tmpdir('causerie-site-'), 'public');
  assert.equal(causerie(['build', '--root', repoRoot, '--output', again]).code, 0);
  const a = files(out);
  assert.deepEqual(files(again), a);
  for (const f of a) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(again, f))), `${f} differs`);
});
