// The comment service in a real browser (Debian's headless Chromium): the
// no-JS form, embed.js on a bare <div id="comments"> and on a baked page
// (docs/conversation.md hooks), and the admin page. Real binary, real SQLite.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startService, serveStatic, launchBrowser, tmpdir, waitFor, axe, vnu, causerie, repoRoot } from './lib.mjs';

const ADMIN = 'e2e-admin-token-0123';
let site, svc, held, browser, root;

function config(siteUrl, moderation) {
  return `site_url = "${siteUrl}"\nmoderation = "${moderation}"\nadmin_token = "${ADMIN}"\n\n[limits]\ncomments_per_minute = 0\n\n[spam]\nmin_submit_seconds = 0\n`;
}

async function api(base, path, opts = {}) {
  const r = await fetch(base + path, opts);
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text };
}

async function post(base, body, headers = {}) {
  return api(base, '/api/comments', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function write(path, html) {
  const file = join(root, path, 'index.html');
  mkdirSync(join(root, path), { recursive: true });
  writeFileSync(file, html);
}

/** A post page shaped like the generator's (the DOM hooks of docs/conversation.md). */
function bakedPage(service, page, baked, bakedComments, strings = {}) {
  const items = bakedComments
    .map(
      (c) => `<li class="comment p-comment h-entry" id="comment-${c.id}" data-comment-id="${c.id}"><article>
  <header class="comment-meta"><span class="p-author h-card">${c.author}</span> <time class="dt-published" datetime="${c.created}">${c.created}</time></header>
  <div class="comment-body e-content">${c.body_html}</div></article></li>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hello</title>
<style>.notice{display:none}.notice:target{display:block}</style></head><body><main><h1>Hello</h1><p>A post.</p>
<section id="comments" class="conversation" data-causerie-page="${page}" data-causerie-baked="${baked}" data-causerie-closed="false">
  <h2 id="comments-title">Comments</h2>
  <p id="comment-published" class="notice">Thanks, your comment is published.</p>
  <p id="comment-held" class="notice">Thanks, your comment is awaiting moderation.</p>
  <ol class="comment-list">${items}</ol>
  <form id="comment-form" class="comment-form" method="post" action="${service}/api/comments">
    <input type="hidden" name="page" value="${page}"><input type="hidden" name="parent" value=""><input type="hidden" name="landing" value="posted">
    <p><label for="author">Name</label><input id="author" name="author" required></p>
    <p><label for="email">E-mail (optional)</label><input id="email" name="email" type="email"></p>
    <p><label for="website">Website (optional)</label><input id="website" name="website" type="url"></p>
    <p style="position:absolute;left:-9999px" aria-hidden="true"><label for="homepage">Leave this empty</label><input id="homepage" name="homepage" tabindex="-1" autocomplete="off"></p>
    <p><label for="body">Comment</label><textarea id="body" name="body" required></textarea></p>
    <p><button type="submit">Send</button></p>
  </form>
  <script type="application/json" id="causerie-strings">${JSON.stringify(strings)}</script>
</section></main>
<script src="${service}/embed.js" defer></script></body></html>`;
}

before(async () => {
  root = tmpdir('causerie-comments-site-');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>site</title><p>home</p>');
  site = await serveStatic(root);
  svc = await startService({ config: config(site.url, 'none') });
  held = await startService({ config: config(site.url, 'all') });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await svc?.stop();
  await held?.stop();
  await site?.close();
});

test('embed.js is small: at most 8 kB gzipped', async () => {
  const r = await fetch(`${svc.url}/embed.js`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /javascript/);
  const gz = gzipSync(Buffer.from(await r.arrayBuffer()), { level: 9 }).length;
  assert.ok(gz <= 8192, `embed.js is ${gz} bytes gzipped`);
});

test('the no-JS form posts, lands on a page showing the comment, and gives text back on a refusal', async () => {
  write('posts/nojs', bakedPage(svc.url, '/posts/nojs/', '', []));
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${site.url}/posts/nojs/`);
  await page.fill('#author', 'Nojs Reader');
  await page.fill('#website', 'javascript:alert(1)');
  await page.fill('#body', 'Typed with *care*, not to be lost.');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  // refused: the service's own page names the field and gives the text back
  assert.match(await page.textContent('#error'), /website/);
  assert.equal(await page.inputValue('textarea[name=body]'), 'Typed with *care*, not to be lost.');
  assert.equal(await page.inputValue('input[name=author]'), 'Nojs Reader');
  await page.fill('input[name=website]', 'https://reader.example/');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const url = new URL(page.url());
  const t = await api(svc.url, '/api/comments?page=/posts/nojs/');
  assert.equal(t.json.count, 1);
  assert.equal(t.json.comments[0].website, 'https://reader.example/');
  assert.equal(url.origin + url.pathname, `${svc.url}/posted/${t.json.comments[0].id}`);
  assert.match(await page.textContent('#posted-notice'), /published/);
  assert.match(await page.innerHTML('.comment-body'), /Typed with <em>care<\/em>, not to be lost/);
  assert.equal(await page.locator('.comment-pending').count(), 0);
  await page.click('#back');
  assert.equal(new URL(page.url()).pathname, '/posts/nojs/');
  await ctx.close();
});

test('the no-JS form on a moderated service lands on the held comment, marked, still there after a reload', async () => {
  write('posts/nojs-held', bakedPage(held.url, '/posts/nojs-held/', '', []));
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${site.url}/posts/nojs-held/`);
  await page.fill('#author', 'Held Reader');
  await page.fill('#body', 'Please approve me.');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(new URL(page.url()).pathname, /^\/posted\/\d+$/);
  for (let reload = 0; reload < 2; reload++) {
    assert.match(await page.textContent('#posted-notice'), /awaiting moderation/);
    assert.match(await page.textContent('.comment-body'), /Please approve me\./);
    assert.ok(await page.isVisible('.comment-pending'));
    await page.reload();
  }
  const landing = join(tmpdir('causerie-landing-'), 'posted.html');
  writeFileSync(landing, await page.content());
  assert.deepEqual(vnu([landing]), [], 'the landing page is valid HTML');
  // someone else's browser sees nothing at that address
  const other = await browser.newContext({ javaScriptEnabled: false });
  const op = await other.newPage();
  const resp = await op.goto(page.url());
  assert.equal(resp.status(), 404);
  assert.equal(await op.locator('.comment-body').count(), 0);
  await other.close();
  await ctx.close();
});

test('embed.js renders thread and form on a bare <div id="comments">, posts in place, edits and deletes', async () => {
  const p = '/other/bare/';
  const first = await post(svc.url, { page: p, author: 'First', body: 'Top *level*' });
  assert.equal(first.status, 201);
  await post(svc.url, { page: p, author: 'Second', body: 'A reply', parent: first.json.id });
  await post(svc.url, {
    page: p,
    author: '<img src=x onerror="window.__xss=1">',
    website: 'https://x.example/"><script>window.__xss=2</script>',
    body: '<img src=x onerror="window.__xss=3"> [x](javascript:window.__xss=4)',
  });
  write('other/bare', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title></head><body>
<main><h1>A page from another generator</h1><p><span data-causerie-count="/other/bare/">?</span> comments</p><div id="comments"></div></main>
<script src="${svc.url}/embed.js" defer></script></body></html>`);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  await page.goto(`${site.url}${p}`);
  await page.waitForSelector('#comments li.comment');
  assert.equal(await page.locator('#comments li.comment').count(), 3);
  await waitFor(async () => (await page.textContent('[data-causerie-count]')) === '3', { what: 'the live count' });
  assert.equal(await page.locator(`#comment-${first.json.id} .comment-replies li.comment`).count(), 1);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'hostile markup did not run');
  assert.equal(await page.locator('#comments img, #comments script').count(), 0);
  assert.ok(await page.locator('#comments form input[name=started]').count(), 'started is added');
  // inline error, named field
  await page.fill('#causerie-author', 'Embed Reader');
  await page.fill('#causerie-website', 'javascript:alert(1)');
  await page.fill('#causerie-body', 'Posted in place');
  await page.click('#comments form button[type=submit]');
  await page.waitForSelector('#causerie-website[aria-invalid=true]');
  assert.match(await page.textContent('.comment-field-error'), /http/);
  // posted in place, no navigation
  await page.fill('#causerie-website', '');
  await page.click('#comments form button[type=submit]');
  await waitFor(async () => (await page.locator('#comments li.comment').count()) === 4, { what: 'the new comment' });
  assert.equal(new URL(page.url()).pathname, p);
  assert.match(await page.textContent('.causerie-status'), /published/);
  const mine = (await api(svc.url, `/api/comments?page=${p}`)).json.comments.find((c) => c.author === 'Embed Reader');
  assert.ok(mine);
  const stored = await page.evaluate((id) => localStorage.getItem('causerie:token:' + id), mine.id);
  assert.ok(JSON.parse(stored).token, 'the edit token is kept in localStorage');
  // reply in place: nested under its parent
  await page.click(`#comment-${first.json.id} > article .comment-reply`);
  await page.fill('#causerie-body', 'Replying in place');
  await page.click('#comments form button[type=submit]');
  await waitFor(async () => (await page.locator(`#comment-${first.json.id} .comment-replies li.comment`).count()) === 2, {
    what: 'the nested reply',
  });
  // edit within the window
  const li = page.locator(`#comment-${mine.id}`);
  await li.locator('.comment-edit').click();
  await li.locator('textarea.comment-editor').fill('Edited **now**');
  await li.locator('.comment-edit-box button').first().click();
  await waitFor(async () => (await li.locator('.comment-body strong').count()) === 1, { what: 'the edited body' });
  assert.match((await api(svc.url, `/api/comments?page=${p}`)).text, /Edited <strong>now<\/strong>/);
  // delete (confirm accepted)
  await li.locator('.comment-delete').click();
  await waitFor(async () => (await page.locator(`#comment-${mine.id}`).count()) === 0, { what: 'the deletion' });
  assert.equal(dialogs.length, 1);
  assert.ok(!(await api(svc.url, `/api/comments?page=${p}`)).text.includes('Edited'));
  // others' comments have no edit button
  assert.equal(await page.locator(`#comment-${first.json.id} > article .comment-edit`).count(), 0);
  const violations = (await axe(page, { runOnly: ['wcag2a', 'wcag2aa'] })).filter((v) => v.impact === 'critical' || v.impact === 'serious');
  assert.deepEqual(violations, []);
  await ctx.close();
});

test('embed.js on a baked page adds only what is newer, with the theme strings', async () => {
  const p = '/posts/baked/';
  const a = await post(svc.url, { page: p, author: 'Baked', body: 'Baked in' });
  const exp = await api(svc.url, '/api/export');
  const bakedOne = exp.json.comments.find((c) => c.id === a.json.id);
  write('posts/baked', bakedPage(svc.url, p, exp.json.cursor, [bakedOne], { reply: 'Antworten', send: 'Senden' }));
  const b = await post(svc.url, { page: p, author: 'Later', body: 'After the bake', parent: a.json.id });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${site.url}${p}`);
  await page.waitForSelector(`#comment-${b.json.id}`);
  assert.equal(await page.locator(`#comment-${a.json.id}`).count(), 1, 'the baked comment is not duplicated');
  assert.equal(await page.locator(`#comment-${a.json.id} .comment-replies #comment-${b.json.id}`).count(), 1);
  assert.equal(await page.textContent(`#comment-${a.json.id} > article .comment-reply`), 'Antworten');
  // the baked form now posts in place
  await page.fill('#author', 'Inline');
  await page.fill('#body', 'Through the baked form');
  await page.click('#comment-form button[type=submit]');
  await waitFor(async () => (await page.locator('#comments li.comment').count()) === 3, { what: 'the in-place post' });
  assert.equal(new URL(page.url()).pathname, p);
  await ctx.close();
});

test('the admin page signs in and approves in bulk without JavaScript', async () => {
  const p = '/posts/moderated/';
  const ids = [];
  for (const who of ['Alpha', 'Beta', 'Gamma']) {
    const r = await post(held.url, { page: p, author: who, body: `From ${who}` });
    assert.equal(r.status, 202);
    ids.push(r.json.id);
  }
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${held.url}/admin`);
  await page.fill('#token', 'not the token');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('.error'), /not right/);
  await page.fill('#token', ADMIN);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  for (const id of ids) assert.ok(await page.isVisible(`#row-${id}`));
  await page.check(`#pick-${ids[0]}`);
  await page.check(`#pick-${ids[2]}`);
  await Promise.all([page.waitForNavigation(), page.click('button[value=approve]')]);
  assert.match(await page.textContent('#done'), /2 changed/);
  const t = await api(held.url, `/api/comments?page=${p}`);
  assert.deepEqual(t.json.comments.map((c) => c.author).sort(), ['Alpha', 'Gamma']);
  await page.check(`#pick-${ids[1]}`);
  await Promise.all([page.waitForNavigation(), page.click('button[value=spam]')]);
  await page.goto(`${held.url}/admin?status=spam`);
  assert.ok(await page.isVisible(`#row-${ids[1]}`));
  await ctx.close();
});

test('embed.js enhances a post page built by causerie (the theme\'s hooks)', async () => {
  // the example site, built against this service and served like a static host
  const dir = tmpdir('causerie-built-');
  for (const d of ['content', 'themes']) cpSync(join(repoRoot, d), join(dir, d), { recursive: true });
  const out = join(dir, 'public');
  mkdirSync(out);
  const host = await serveStatic(out);
  const own = await startService({ config: config(host.url, 'none') });
  try {
    const toml = readFileSync(join(repoRoot, 'causerie.toml'), 'utf8').replace(/(\[comments\][^[]*?)url = "[^"]*"/, `$1url = "${own.url}"`);
    writeFileSync(join(dir, 'causerie.toml'), toml);
    const b = causerie(['build', '--root', dir, '--output', out, '--base-url', host.url + '/']);
    assert.equal(b.code, 0, b.stderr);
    const slug = readdirSync(join(out, 'posts')).find((s) =>
      existsSync(join(out, 'posts', s, 'index.html')) && readFileSync(join(out, 'posts', s, 'index.html'), 'utf8').includes('id="comment-form"'),
    );
    assert.ok(slug, 'a built post with the comment form');
    const html = readFileSync(join(out, 'posts', slug, 'index.html'), 'utf8');
    const pagePath = html.match(/data-causerie-page="([^"]+)"/)[1];
    const first = await post(own.url, { page: pagePath, author: 'Earlier', body: 'Posted before the visit' });
    assert.equal(first.status, 201);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${host.url}/posts/${slug}/`);
    await page.waitForSelector(`#comment-${first.json.id}`);
    await page.fill('#comment-form [name=author]', 'Visitor');
    await page.fill('#comment-form [name=body]', 'Through the theme form');
    await page.click('#comment-form button[type=submit]');
    await waitFor(async () => (await page.locator('#comments li.comment').count()) === 2, { what: 'the in-place comment' });
    assert.equal(new URL(page.url()).pathname, `/posts/${slug}/`);
    await page.click(`#comment-${first.json.id} .comment-reply`);
    await page.fill('#comment-form [name=body]', 'A reply through the theme form');
    await page.click('#comment-form button[type=submit]');
    await waitFor(async () => (await page.locator(`#comment-${first.json.id} .comment-replies li.comment`).count()) === 1, {
      what: 'the nested reply',
    });
    const t = await api(own.url, `/api/comments?page=${encodeURIComponent(pagePath)}`);
    assert.equal(t.json.count, 3);
    await ctx.close();
  } finally {
    await own.stop();
    await host.close();
  }
});
