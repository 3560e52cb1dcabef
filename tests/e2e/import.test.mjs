// Moving in, across both real binaries: a WordPress export goes through
// `causerie import` (posts, pages, old URLs) and `causerie-comments import`
// (the conversation), the site is built from the real service, and the old
// blog's threads appear baked in the new pages under the right headings.
// A second run doubles nothing; a broken file changes nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { bin, causerie, run, startService, serveStatic, launchBrowser, tmpdir, repoRoot } from './lib.mjs';

const FIXTURE = join(repoRoot, 'tests/e2e/fixtures/wordpress-move.xml');
let work, siteDir, out, site, svc, browser, db, cfg;

/** `causerie-comments import …` with this test's config and database. */
const importComments = (file, extra = []) =>
  run(bin('causerie-comments'), ['import', 'wordpress', file, '--config', cfg, '--db', db, '--site', siteDir, ...extra]);

/** Every file under `dir` with the hash of its bytes (what "changes nothing" compares). */
function tree(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const page = (path) => readFileSync(join(out, path, 'index.html'), 'utf8');
const heading = (html) => html.match(/<h2 id="comments-title">([^<]*)<\/h2>/)?.[1];

before(async () => {
  work = tmpdir('causerie-move-');
  siteDir = join(work, 'site');
  out = join(siteDir, 'public');
  mkdirSync(join(siteDir, 'content/posts'), { recursive: true });
  mkdirSync(out, { recursive: true });
  site = await serveStatic(out);
  db = join(work, 'comments.db');
  cfg = join(work, 'comments.toml');
  writeFileSync(cfg, `site_url = "${site.url}/"\nmoderation = "none"\nallow_private_addresses = true\n`);
  // The service's address is known only once it runs: until then the site
  // points at a closed port (the build warns and goes on).
  writeFileSync(
    join(siteDir, 'causerie.toml'),
    `base_url = "${site.url}/"\ntitle = "Moving Notes"\nlanguage = "en"\n\n[author]\nname = "Marie"\n\n[comments]\nurl = "http://127.0.0.1:9"\n`,
  );
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await svc?.stop();
  await site?.close();
});

test('a malformed export changes neither the site nor the store', () => {
  const before = tree(siteDir);
  const text = readFileSync(FIXTURE, 'utf8');
  const broken = join(work, 'broken.xml');
  writeFileSync(broken, text.slice(0, Math.floor(text.length * 0.6)));
  const c = causerie(['import', 'wordpress', broken, '--root', siteDir]);
  assert.equal(c.code, 1, c.stdout + c.stderr);
  assert.match(c.stderr, new RegExp(`${broken.replaceAll('/', '\\/')}:\\d+:\\d+: `), c.stderr);
  assert.deepEqual(tree(siteDir), before, 'the site is as it was');
  const s = importComments(broken);
  assert.equal(s.code, 1, s.stdout + s.stderr);
  assert.match(s.stderr, new RegExp(`${broken.replaceAll('/', '\\/')}:\\d+:\\d+: `), s.stderr);
  assert.ok(!/panicked|RUST_BACKTRACE/.test(c.stderr + s.stderr), 'no panic');
});

test('the content import writes posts, pages and old URLs; a second run changes nothing', () => {
  const r = causerie(['import', 'wordpress', FIXTURE, '--root', siteDir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /imported 2 posts, 1 page/, r.stdout);
  const post = readFileSync(join(siteDir, 'content/posts/walking-to-the-harbour.md'), 'utf8');
  assert.match(post, /title = "Walking to the harbour"/);
  assert.match(post, /date = "2019-05-04T09:12:00Z"/);
  assert.match(post, /\/2019\/05\/walking-to-the-harbour\//, 'the old permalink is an alias');
  assert.match(post, /\/\?p=101/, 'so is ?p=ID');
  assert.match(post, /\*\*harbour\*\*/, 'the body is markdown');
  assert.ok(!post.includes('wp:paragraph'), 'no Gutenberg block comments');
  assert.match(readFileSync(join(siteDir, 'content/posts/a-quiet-sunday.md'), 'utf8'), /comments = "closed"/);
  readFileSync(join(siteDir, 'content/about.md'), 'utf8');

  const first = tree(siteDir);
  const again = causerie(['import', 'wordpress', FIXTURE, '--root', siteDir]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(tree(siteDir), first, 'the second run changes no byte');

  // The old blog already pinged what it linked to: nothing is due now.
  const b = causerie(['build', '--root', siteDir]);
  assert.equal(b.code, 0, b.stderr);
  const wm = causerie(['webmentions', 'send', '--root', siteDir, '--dry-run']);
  assert.equal(wm.code, 0, wm.stderr);
  assert.ok(!wm.stdout.includes('would send'), `no Webmention storm after the move:\n${wm.stdout}`);
});

test('the comment import lands each thread on its new page, once', () => {
  const dry = importComments(FIXTURE, ['--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  const r = importComments(FIXTURE);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /imported 6 comments \(1 held\), 1 mention/, r.stdout);
  assert.ok(!/@readers\.example|@notes\.example/.test(r.stdout + r.stderr), 'no e-mail address is printed');
  const again = importComments(FIXTURE);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /imported 0 comments/, again.stdout);
});

test('built from the service, the pages carry the old conversation and the old URLs lead to them', async () => {
  svc = await startService({ config: readFileSync(cfg, 'utf8'), db });
  const ex = await (await fetch(`${svc.url}/api/export`)).json();
  assert.equal(ex.comments.length, 6, 'five approved items on one post, one on the other, no doubles');
  assert.ok(!JSON.stringify(ex).includes('@'), 'no e-mail address in the export');
  const toml = join(siteDir, 'causerie.toml');
  writeFileSync(toml, readFileSync(toml, 'utf8').replace('http://127.0.0.1:9', svc.url));
  const b = causerie(['build', '--root', siteDir]);
  assert.equal(b.code, 0, b.stderr);

  const walk = page('posts/walking-to-the-harbour');
  assert.equal(heading(walk), '5 thoughts on “Walking to the harbour”');
  assert.ok(!walk.includes('Still waiting for approval'), 'the held comment is not shown');
  assert.ok(!walk.includes('Buy now') && !walk.includes('Trashed.'), 'spam and trash are left out');
  assert.ok(!/<script>alert|javascript:alert/.test(walk), 'the export is sanitized like any comment');
  assert.match(walk, /harbourlog\.example/, 'the pingback is a mention');
  const sunday = page('posts/a-quiet-sunday');
  assert.equal(heading(sunday), 'One response to “A quiet Sunday”');
  assert.match(sunday, /Comments are closed\./);
  assert.ok(!sunday.includes('id="comment-form"'), 'no form on a closed post');

  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const p = await ctx.newPage();
  await p.goto(`${site.url}/posts/walking-to-the-harbour/`);
  const reply = p.locator('li.comment', { hasText: 'Which harbour' }).locator('ol.comment-replies li.comment', { hasText: 'past the' });
  assert.equal(await reply.count(), 1, "the author's answer is nested under the question");
  assert.equal(await reply.first().locator('.comment-owner').count(), 1, "the author's answer carries the author mark");
  const deeper = reply.locator('ol.comment-replies li.comment', { hasText: 'Then I was right' });
  assert.equal(await deeper.count(), 1, 'threads keep their depth');
  // The old permalink leads to the new page.
  await p.goto(`${site.url}/2019/05/walking-to-the-harbour/`);
  await p.waitForURL(`${site.url}/posts/walking-to-the-harbour/`, { timeout: 10_000 });
  await ctx.close();
});

test('a second import of the conversation after the move still doubles nothing', async () => {
  await svc.stop();
  const r = importComments(FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  svc = await startService({ config: readFileSync(cfg, 'utf8'), db });
  const ex = await (await fetch(`${svc.url}/api/export`)).json();
  assert.equal(ex.comments.length, 6);
});
