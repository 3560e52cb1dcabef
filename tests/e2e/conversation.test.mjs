// The whole conversation loop with both real binaries: a reader comments →
// the real causerie-comments (temp SQLite file) stores it → its debounced
// rebuild runs the real `causerie build` in the site root → the static page
// carries the comment. Driven through Debian's headless Chromium with
// JavaScript off and on; checked with the Nu HTML Checker, axe-core and
// feedparser. Nothing is mocked.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, existsSync, cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, execFile } from 'node:child_process';
import {
  bin,
  causerie,
  startService,
  serveStatic,
  launchBrowser,
  tmpdir,
  waitFor,
  axe,
  vnu,
  feedparse,
  mf2,
} from './lib.mjs';

const ADMIN = 'conversation-admin-token-42';
let work, siteDir, out, site, svc, browser;

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Writes a small site: a few posts, one closed by front matter, one by age. */
function writeSite(dir, { language = 'en', siteUrl, svcUrl }) {
  mkdirSync(join(dir, 'content/posts'), { recursive: true });
  writeFileSync(
    join(dir, 'causerie.toml'),
    `base_url = "${siteUrl}/"\ntitle = "Loop blog"\nlanguage = "${language}"\nper_page = 20\n\n[author]\nname = "Olive Owner"\n\n` +
      `[comments]\nurl = "${svcUrl}"\nclose_after_days = 365\n`,
  );
  const posts = {
    hello: ['Hello loop', day(-3), ''],
    replies: ['Replies', day(-3), ''],
    hostile: ['Hostile', day(-3), ''],
    closing: ['Closing soon', day(-3), ''],
    frozen: ['Frozen', day(-3), 'comments = "closed"\n'],
    ancient: ['Ancient', '2015-01-01', ''],
    p0: ['P0', day(-2), ''],
    p1: ['P1', day(-2), ''],
    p2: ['P2', day(-2), ''],
    p5: ['P5', day(-2), ''],
    many: ['Many voices', day(-1), ''],
  };
  for (const [slug, [title, date, extra]] of Object.entries(posts)) {
    writeFileSync(
      join(dir, 'content/posts', `${slug}.md`),
      `+++\ntitle = "${title}"\ndate = "${date}"\ntags = ["loop"]\n${extra}+++\n\nThe post called ${title}.\n`,
    );
  }
}

async function api(path, opts = {}) {
  const r = await fetch(svc.url + path, opts);
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text };
}

function post(body, headers = {}) {
  return api('/api/comments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Runs `causerie` without blocking the event loop (the test's own servers must answer it). */
function causerieAsync(args) {
  return new Promise((resolve) => {
    execFile(bin('causerie'), args, { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const html = (slug, root = out) => readFileSync(join(root, 'posts', slug, 'index.html'), 'utf8');

/** Waits until the static page served to readers holds `needle` (the rebuild ran). */
async function baked(slug, needle, what) {
  return waitFor(
    async () => {
      const r = await fetch(`${site.url}/posts/${slug}/`);
      const t = await r.text();
      return r.ok && t.includes(needle) ? t : null;
    },
    { timeoutMs: 60_000, what: what || `${needle} in /posts/${slug}/` },
  );
}

/** The text of the conversation heading in a built page. */
const heading = (page) => page.match(/<h2 id="comments-title">([^<]*)<\/h2>/)[1];

before(async () => {
  work = tmpdir('causerie-loop-');
  siteDir = join(work, 'site');
  out = join(siteDir, 'public');
  mkdirSync(out, { recursive: true });
  site = await serveStatic(out);
  const rebuild = `cd '${siteDir}' && '${bin('causerie')}' build`;
  svc = await startService({
    config:
      `site_url = "${site.url}"\nmoderation = "none"\nadmin_token = "${ADMIN}"\nallow_private_addresses = true\n\n` +
      `[limits]\ncomments_per_minute = 0\n\n[spam]\nmin_submit_seconds = 0\nmax_links = 10\n\n` +
      `[rebuild]\ncommand = "${rebuild.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"\ndebounce_ms = 150\n`,
  });
  writeSite(siteDir, { siteUrl: site.url, svcUrl: svc.url });
  const first = causerie(['build', '--root', siteDir]);
  assert.equal(first.code, 0, first.stderr);
  // The service learns the pages manifest after a rebuild it triggered.
  const seed = await post({ page: '/posts/hello/', author: 'Seed', body: 'The first word.' });
  assert.equal(seed.status, 201, seed.text);
  await baked('hello', `id="comment-${seed.json.id}"`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await svc?.stop();
  await site?.close();
});

test('JS off: the form posts, lands on a page showing the comment, and the rebuild bakes the comment (and a reply) into the static page', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${site.url}/posts/hello/`);
  assert.equal(await page.locator('#comment-form').count(), 1);
  await page.fill('#comment-author', 'No Script');
  await page.fill('#comment-website', 'https://noscript.example/');
  await page.fill('#comment-body', 'Plain *HTML* forms still work.');
  await Promise.all([page.waitForNavigation(), page.click('#comment-form button[type=submit]')]);
  // the landing page shows the comment itself, and links back to the page
  const url = new URL(page.url());
  assert.equal(url.origin, svc.url);
  const id = url.pathname.match(/^\/posted\/(\d+)$/)[1];
  assert.match(await page.textContent('#posted-notice'), /published/);
  assert.match(await page.innerHTML(`#comment-${id} .comment-body`), /<em>HTML<\/em> forms still work/);
  assert.equal(await page.getAttribute('#back', 'href'), `${site.url}/posts/hello/#comments`);

  const baked1 = await baked('hello', `id="comment-${id}"`);
  assert.match(baked1, /<em>HTML<\/em> forms still work/);
  assert.match(baked1, /href="https:\/\/noscript\.example\/"[^>]*>No Script<\/a>/);
  await page.goto(`${site.url}/posts/hello/`);
  assert.equal(await page.locator(`#comment-${id} .comment-author`).textContent(), 'No Script');

  // The reply target works without JavaScript too: choose the parent in the list.
  await page.selectOption('#comment-parent', id);
  await page.fill('#comment-author', 'Second Thought');
  await page.fill('#comment-body', 'Answering without scripts.');
  await Promise.all([page.waitForNavigation(), page.click('#comment-form button[type=submit]')]);
  const reply = new URL(page.url()).pathname.match(/^\/posted\/(\d+)$/)[1];
  await baked('hello', `id="comment-${reply}"`);
  await page.goto(`${site.url}/posts/hello/`);
  assert.equal(await page.locator(`#comment-${id} > .comment-replies > #comment-${reply}`).count(), 1, 'the reply is nested');
  assert.equal(await page.locator('.comment-list > li.comment').count(), 2, 'two top-level comments: seed and No Script');
  await ctx.close();
});

test('JS on: a comment appears at once, a reply nests, edit and delete work within the window and not after', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  await page.goto(`${site.url}/posts/replies/`);
  await page.waitForSelector('#comments[data-causerie-ready]');
  await page.fill('#comment-author', 'Live Writer');
  await page.fill('#comment-body', 'Shown before any rebuild.');
  await page.click('#comment-form button[type=submit]');
  const li = page.locator('#comments li.comment', { hasText: 'Shown before any rebuild.' });
  await li.waitFor();
  const id = await li.getAttribute('data-comment-id');
  assert.equal(new URL(page.url()).pathname, '/posts/replies/', 'no navigation: posted in place');

  // reply through the button embed.js adds
  await page.click(`#comment-${id} .comment-reply`);
  await page.fill('#comment-body', 'A nested answer.');
  await page.click('#comment-form button[type=submit]');
  const nested = page.locator(`#comment-${id} > .comment-replies > li.comment`, { hasText: 'A nested answer.' });
  await nested.waitFor();
  const replyId = await nested.getAttribute('data-comment-id');

  // edit within the window
  await page.click(`#comment-${id} > article .comment-edit`);
  await page.fill(`#comment-${id} .comment-editor`, 'Edited **in place**.');
  await page.click(`#comment-${id} .comment-edit-box button:first-of-type`);
  await page.locator(`#comment-${id} > article .comment-body strong`, { hasText: 'in place' }).waitFor();

  // the rebuild bakes the thread with the edit and the nesting
  await baked('replies', 'Edited <strong>in place</strong>');
  await baked('replies', `id="comment-${replyId}"`);
  const fresh = await ctx.newPage();
  await fresh.goto(`${site.url}/posts/replies/`);
  assert.equal(await fresh.locator(`#comment-${id} > .comment-replies > #comment-${replyId}`).count(), 1);
  await fresh.close();

  // delete within the window: gone live, then gone from the static page
  await page.click(`#comment-${replyId} .comment-delete`);
  await waitFor(async () => (await page.locator(`#comment-${replyId}`).count()) === 0, { what: 'the deleted reply to go' });
  assert.equal(dialogs.length, 1, 'delete asks first');
  await waitFor(async () => !(await (await fetch(`${site.url}/posts/replies/`)).text()).includes(`id="comment-${replyId}"`), {
    timeoutMs: 60_000,
    what: 'the deleted reply to leave the static page',
  });

  // after the window: the comment is made 20 minutes old in the service's
  // database (the window is 15), so its token no longer changes anything
  execFileSync('python3', [
    '-c',
    'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=10); c.execute("UPDATE comments SET created_us = created_us - 1200000000 WHERE id = ?", (int(sys.argv[2]),)); c.commit()',
    svc.db,
    id,
  ]);
  await page.reload();
  await page.waitForSelector(`#comment-${id} .comment-edit`);
  await page.click(`#comment-${id} > article .comment-edit`);
  await page.fill(`#comment-${id} .comment-editor`, 'Too late to change.');
  await page.click(`#comment-${id} .comment-edit-box button:first-of-type`);
  await page.locator('.causerie-status.causerie-error').waitFor();
  const token = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), `causerie:token:${id}`)).token;
  const del = await api(`/api/comments/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  assert.ok([401, 403].includes(del.status), `delete after the window: ${del.status}`);
  const thread = await api('/api/comments?page=/posts/replies/');
  assert.match(JSON.stringify(thread.json), /Edited <strong>in place<\/strong>/, 'the late edit changed nothing');
  await ctx.close();
});

test('a hostile name, website and body never run script, live or baked', async () => {
  const evil = {
    page: '/posts/hostile/',
    author: '<img src=x onerror="window.__xss=1">"><script>window.__xss=2</script>',
    body: '<script>window.__xss=3</script><img src=x onerror="window.__xss=4"> [x](javascript:window.__xss=5) <svg onload="window.__xss=6"></svg>',
  };
  const r = await post(evil);
  assert.equal(r.status, 201, r.text);
  const badSite = await post({ ...evil, website: 'javascript:window.__xss=7' });
  assert.equal(badSite.status, 400, 'a javascript: website is refused');
  const quoteSite = await post({ ...evil, website: 'https://q.example/"onmouseover="window.__xss=8' });

  const check = async (jsOn, label) => {
    const ctx = await browser.newContext({ javaScriptEnabled: jsOn });
    const page = await ctx.newPage();
    await page.goto(`${site.url}/posts/hostile/`);
    if (jsOn) await page.waitForSelector(`#comment-${r.json.id}`);
    const li = page.locator(`#comment-${r.json.id}`);
    await li.hover();
    if (jsOn) assert.equal(await page.evaluate(() => window.__xss), undefined, `${label}: no script ran`);
    assert.equal(await page.locator('#comments script:not(#causerie-strings), #comments img, #comments svg, #comments [onerror], #comments [onmouseover]').count(), 0, `${label}: no live markup`);
    assert.match(await li.locator('.comment-author').textContent(), /script/, `${label}: the name is shown as text`);
    const hrefs = await page.locator('#comments a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(!hrefs.some((h) => /^\s*javascript:/i.test(h)), `${label}: no javascript: link`);
    await ctx.close();
  };
  await check(true, 'live (embed.js, before the rebuild)');
  const page = await baked('hostile', `id="comment-${r.json.id}"`);
  if (quoteSite.status === 201) await baked('hostile', `id="comment-${quoteSite.json.id}"`);
  assert.ok(!/<script>window/.test(page) && !/<img/.test(page.split('<section id="comments"')[1]), 'the baked HTML carries no markup from the service');
  await check(false, 'baked, JS off');
  await check(true, 'baked, JS on');
});

test('closed comments: no form, "Comments are closed.", the conversation still shown, and the service refuses posts', async () => {
  // `frozen` is closed by front matter, `ancient` by close_after_days.
  for (const slug of ['frozen', 'ancient']) {
    const page = html(slug);
    assert.ok(!page.includes('id="comment-form"'), `${slug}: no form`);
    assert.match(page, /<p class="comments-closed">Comments are closed\.<\/p>/);
    assert.match(page, /data-causerie-closed="true"/);
    const r = await post({ page: `/posts/${slug}/`, author: 'Late', body: 'Too late.' });
    assert.ok(r.status >= 400 && r.status < 500, `${slug}: ${r.status} ${r.text}`);
  }
  // A post with comments that closes later keeps them.
  const c = await post({ page: '/posts/closing/', author: 'Early Bird', body: 'Before the door shut.' });
  assert.equal(c.status, 201);
  await baked('closing', `id="comment-${c.json.id}"`);
  const md = join(siteDir, 'content/posts/closing.md');
  writeFileSync(md, readFileSync(md, 'utf8').replace('tags = ["loop"]\n', 'tags = ["loop"]\ncomments = "closed"\n'));
  // a comment elsewhere makes the service rebuild and reload the manifest
  const other = await post({ page: '/posts/hello/', author: 'Elsewhere', body: 'Meanwhile.' });
  await baked('hello', `id="comment-${other.json.id}"`);
  const page = await baked('closing', 'comments-closed');
  assert.match(page, new RegExp(`id="comment-${c.json.id}"[^]*Before the door shut`), 'the conversation is still shown');
  assert.ok(!page.includes('id="comment-form"'));
  await waitFor(async () => (await post({ page: '/posts/closing/', author: 'Late', body: 'Knock knock.' })).status === 403, {
    what: 'the service to refuse posts to the closed post',
  });
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(`${site.url}/posts/closing/`);
  await p.waitForSelector('#comments[data-causerie-ready]');
  assert.equal(await p.locator('#comment-form').count(), 0, 'embed.js adds no form to a closed post');
  assert.equal(await p.locator('#comments .comment-reply').count(), 0);
  await ctx.close();
});

test('plural headings are right for 0, 1, 2 and 5 in English and Persian (RTL)', async () => {
  const counts = { p1: 1, p2: 2, p5: 5 };
  let last;
  for (const [slug, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) {
      last = await post({ page: `/posts/${slug}/`, author: `Counter ${i}`, body: `Number ${i}` });
      assert.equal(last.status, 201);
    }
  }
  await baked('p5', `id="comment-${last.json.id}"`);
  const en = { p0: 'No comments yet', p1: 'One response to “P1”', p2: '2 thoughts on “P2”', p5: '5 thoughts on “P5”' };
  for (const [slug, want] of Object.entries(en)) assert.equal(heading(html(slug)), want, slug);
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(index, /href="\/posts\/p5\/#comments">5 comments</);
  assert.match(index, /href="\/posts\/p1\/#comments">One comment</);
  assert.match(index, /href="\/posts\/p0\/#comments">No comments</);
  assert.match(readFileSync(join(out, 'tags/loop/index.html'), 'utf8'), /href="\/posts\/p2\/#comments">2 comments</);

  // The same site in Persian, built by the real binary from the same service.
  const fa = join(work, 'site-fa');
  mkdirSync(fa);
  cpSync(join(siteDir, 'content'), join(fa, 'content'), { recursive: true });
  writeFileSync(join(fa, 'causerie.toml'), readFileSync(join(siteDir, 'causerie.toml'), 'utf8').replace('language = "en"', 'language = "fa"'));
  const faOut = join(fa, 'public');
  const r = causerie(['build', '--root', fa]);
  assert.equal(r.code, 0, r.stderr);
  const want = { p0: 'هنوز دیدگاهی نیست', p1: 'یک دیدگاه برای «P1»', p2: '۲ دیدگاه برای «P2»', p5: '۵ دیدگاه برای «P5»' };
  for (const [slug, w] of Object.entries(want)) assert.equal(heading(html(slug, faOut)), w, `fa ${slug}`);
  assert.match(html('p5', faOut), /<html lang="fa" dir="rtl">/);
  const faSite = await serveStatic(faOut);
  try {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${faSite.url}/posts/p5/`);
    assert.equal(await page.$eval('#comments-title', (h) => getComputedStyle(h).direction), 'rtl');
    assert.equal(await page.textContent('#comments-title'), want.p5);
    await ctx.close();
  } finally {
    await faSite.close();
  }
  // JS on: a comment posted live moves the heading on from "No comments yet"
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${site.url}/posts/p0/`);
  await page.waitForSelector('#comments[data-causerie-ready]');
  assert.equal(await page.textContent('#comments-title'), 'No comments yet');
  await page.fill('#comment-author', 'Live');
  await page.fill('#comment-body', 'First!');
  await page.click('#comment-form button[type=submit]');
  await waitFor(async () => (await page.textContent('#comments-title')) === 'One response to “P0”', { what: 'the live heading' });
  await ctx.close();
});

test('a page with 200 comments passes the Nu HTML Checker and axe-core; its comment feed parses; mf2 sees the comments', async () => {
  const ids = [];
  for (let i = 0; i < 200; i++) {
    const parent = i % 4 === 3 ? ids[i - 1] : undefined;
    const r = await post({
      page: '/posts/many/',
      author: `Voice ${i}${i % 10 === 0 ? ' <b>&</b>' : ''}`,
      website: i % 3 === 0 ? `https://voice${i}.example/` : undefined,
      body: `Comment number ${i}, with a [link](https://example.org/${i}) and *emphasis*.\n\n> quoted\n\n- a list`,
      ...(parent ? { parent } : {}),
    }, i === 7 ? { authorization: `Bearer ${ADMIN}` } : {});
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  await baked('many', `id="comment-${ids[199]}"`);
  const page = html('many');
  assert.equal(heading(page), '200 thoughts on “Many voices”');
  assert.equal((page.match(/<li class="comment /g) || []).length, 200);
  assert.match(page, /by-owner/, "the post author's reply is marked");

  const errors = vnu([join(out, 'posts/many/index.html'), join(out, 'posts/hostile/index.html'), join(out, 'index.html')]);
  assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));

  for (const js of [false, true]) {
    // axe itself needs JavaScript: "off" blocks the page's own scripts instead.
    const ctx = await browser.newContext();
    if (!js) await ctx.route(/\.js$/, (r) => r.abort());
    const p = await ctx.newPage();
    await p.goto(`${site.url}/posts/many/`);
    if (js) await p.waitForSelector('#comments[data-causerie-ready] .comment-reply');
    const violations = await axe(p);
    assert.deepEqual(violations, [], `axe (JS ${js ? 'on' : 'off'}): ${JSON.stringify(violations, null, 2)}`);
    await ctx.close();
  }

  const feed = feedparse(join(out, 'posts/many/comments.xml'));
  assert.equal(feed.bozo, 0, feed.bozo_exception);
  assert.equal(feed.entries.length, 200);
  assert.ok(feed.entries.every((e) => e.link.startsWith(`${site.url}/posts/many/#comment-`)));
  const all = feedparse(join(out, 'comments.xml'));
  assert.equal(all.bozo, 0, all.bozo_exception);
  assert.ok(all.entries.length > 0);
  assert.match(page, /<link rel="alternate" type="application\/atom\+xml" title="Comments on “Many voices”" href="\/posts\/many\/comments.xml">/);
  assert.match(page, /<link rel="alternate" type="application\/atom\+xml" title="Comments on Loop blog" href="\/comments.xml">/);

  // Comments are properties (`comment`) of the post's h-entry, replies of their parent's.
  const nested = (i) => Object.values(i.properties || {}).flat().filter((v) => v && Array.isArray(v.type));
  const flat = (list) => list.flatMap((i) => [i, ...flat(i.children || []), ...flat(nested(i))]);
  const items = flat(mf2(page, `${site.url}/posts/many/`).items);
  const comments = items.filter((i) => i.type.includes('h-entry') && (i.properties['in-reply-to'] || []).length);
  assert.equal(comments.length, 200, 'every comment is an h-entry in reply to the post or a comment');
  const first = comments.find((c) => c.properties.url[0].endsWith(`#comment-${ids[0]}`));
  assert.match(first.properties.author[0].properties.name[0], /^Voice 0 ‹b›/);
  assert.ok(first.properties.published[0].startsWith(day(0).slice(0, 4)));
});

test('Webmentions across both binaries: site A sends, site B receives, bakes a reply, a like and a mention', async () => {
  const a = join(work, 'site-a');
  mkdirSync(join(a, 'content/posts'), { recursive: true });
  const aOut = join(a, 'public');
  mkdirSync(aOut);
  const siteA = await serveStatic(aOut);
  try {
    writeFileSync(join(a, 'causerie.toml'), `base_url = "${siteA.url}/"\ntitle = "Site A"\n\n[author]\nname = "Anna Sender"\nurl = "${siteA.url}/"\n`);
    const target = `${site.url}/posts/hello/`;
    const posts = {
      answer: `A considered <a class="u-in-reply-to" href="${target}">answer</a> from far away.`,
      fond: `I <a class="u-like-of" href="${target}">like this post</a>.`,
      aside: `By the way, [this post](${target}) exists.`,
    };
    for (const [slug, body] of Object.entries(posts)) {
      writeFileSync(join(a, 'content/posts', `${slug}.md`), `+++\ntitle = "A ${slug}"\ndate = "${day(-1)}"\n+++\n\n${body}\n`);
    }
    const built = causerie(['build', '--root', a]);
    assert.equal(built.code, 0, built.stderr);
    const sent = await causerieAsync(['webmentions', 'send', '--root', a, '--allow-private-addresses', '--host-interval-ms', '0']);
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /webmentions: 3 sent/);

    const kinds = await waitFor(
      async () => {
        const e = await api('/api/export');
        const mine = e.json.comments.filter((c) => (c.source || '').startsWith(siteA.url));
        return mine.length === 3 ? Object.fromEntries(mine.map((c) => [c.kind, c])) : null;
      },
      { timeoutMs: 60_000, what: "three verified Webmentions in B's export" },
    );
    assert.deepEqual(Object.keys(kinds).sort(), ['like', 'mention', 'reply']);
    const page = await baked('hello', `id="comment-${kinds.mention.id}"`);
    await baked('hello', `id="comment-${kinds.like.id}"`);
    const reply = page.match(new RegExp(`<li class="comment p-comment h-cite comment-reply" id="comment-${kinds.reply.id}"[^]*?</article>`));
    assert.ok(reply, 'the reply is in the numbered thread, as an h-cite');
    assert.match(reply[0], /answer/);
    assert.ok(!reply[0].includes('comment-edited'), 'a Webmention received again is not shown as edited');
    assert.match(reply[0], new RegExp(`href="${siteA.url}/posts/answer/"`));
    assert.match(page, /<h3 id="likes-title">One person likes this<\/h3>/);
    assert.match(page, new RegExp(`<li class="face p-like h-cite" id="comment-${kinds.like.id}"`));
    assert.match(page, /<h3 id="mentions-title">One mention<\/h3>/);
    assert.match(page, new RegExp(`id="comment-${kinds.mention.id}"[^]*mentioned this[^]*via <a href="${siteA.url}/posts/aside/"`));
    const errors = vnu([join(out, 'posts/hello/index.html')]);
    assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
  } finally {
    await siteA.close();
  }
});

test('the service down: the build warns, succeeds, and keeps every baked comment', async () => {
  const before = html('many');
  await svc.stop();
  const r = causerie(['build', '--root', siteDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: comments: the comment service did not answer/);
  const after = html('many');
  assert.equal((after.match(/<li class="comment /g) || []).length, 200);
  assert.equal(after, before, 'the page is rebuilt byte for byte from the cache');
  const caches = readdirSync(join(siteDir, '.causerie/conversation'));
  assert.equal(caches.length, 1, 'one cache, for the one service');
  assert.ok(existsSync(join(siteDir, '.causerie/conversation', caches[0], 'items.json')));
});
