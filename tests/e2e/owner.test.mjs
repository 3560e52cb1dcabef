// The owner replies in a real browser (Debian's headless Chromium) without
// typing a token: signed in to /admin, they reply from the post page (embed.js
// posts with credentials; the HttpOnly owner cookie marks the reply) and from
// /admin beside the comment. A reader's browser sees no difference.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, serveStatic, launchBrowser, tmpdir, waitFor, axe } from './lib.mjs';

const ADMIN = 'e2e-owner-token-0123';
let site, svc, browser, root;

before(async () => {
  root = tmpdir('causerie-owner-site-');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>site</title><p>home</p>');
  site = await serveStatic(root);
  svc = await startService({
    config: `site_url = "${site.url}"\nmoderation = "all"\nadmin_token = "${ADMIN}"\n\n[limits]\ncomments_per_minute = 0\n\n[spam]\nmin_submit_seconds = 0\n`,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await svc?.stop();
  await site?.close();
});

function write(path, html) {
  mkdirSync(join(root, path), { recursive: true });
  writeFileSync(join(root, path, 'index.html'), html);
}

async function thread(p) {
  return (await (await fetch(`${svc.url}/api/comments?page=${encodeURIComponent(p)}`)).json()).comments;
}

test('the owner replies from the post page and from /admin, marked as the author', async () => {
  const p = '/posts/owner/';
  write('posts/owner', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Owner</title></head><body>
<main><h1>A post</h1><div id="comments"></div></main><script src="${svc.url}/embed.js" defer></script></body></html>`);
  // a reader's comment, approved through the API so that it shows
  const r = await fetch(`${svc.url}/api/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ page: p, author: 'Reader', body: 'A question?' }),
  });
  const reader = await r.json();
  assert.equal(r.status, 202);
  const ok = await fetch(`${svc.url}/admin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `action=approve&id=${reader.id}`,
    redirect: 'manual',
  });
  assert.equal(ok.status, 303);

  // an anonymous reader posting through the embed: held, no author mark
  const anon = await browser.newContext();
  const ap = await anon.newPage();
  await ap.goto(`${site.url}${p}`);
  await ap.waitForSelector(`#comment-${reader.id}`);
  await ap.fill('#causerie-author', 'Someone');
  await ap.fill('#causerie-body', 'Me too');
  await ap.click('#comments form button[type=submit]');
  await waitFor(async () => /moderation/.test(await ap.textContent('.causerie-status')), { what: 'the held notice' });
  assert.equal(await ap.locator('.comment-owner').count(), 0, 'a reader is not the author');
  await anon.close();

  // the owner signs in to /admin in the same browser
  // (bypassCSP only lets axe-core in: the admin page allows no script)
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(`${svc.url}/admin`);
  await page.fill('#token', ADMIN);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const cookies = await ctx.cookies(svc.url + '/api/comments');
  const owner = cookies.find((c) => c.name === 'causerie_owner');
  assert.ok(owner && owner.httpOnly && owner.sameSite === 'Lax', JSON.stringify(cookies));

  // from the post page: a reply through embed.js, published and marked
  await page.goto(`${site.url}${p}`);
  await page.waitForSelector(`#comment-${reader.id}`);
  assert.equal(await page.evaluate(() => document.cookie), '', 'the cookie is not readable by scripts');
  await page.click(`#comment-${reader.id} > article .comment-reply`);
  await page.fill('#causerie-author', 'The Author');
  await page.fill('#causerie-body', 'Answered from the page');
  await page.click('#comments form button[type=submit]');
  const nested = page.locator(`#comment-${reader.id} .comment-replies li.comment`);
  await waitFor(async () => (await nested.count()) === 1, { what: 'the owner reply in place' });
  assert.match(await nested.locator('.comment-owner').textContent(), /author/);
  assert.match(await page.textContent('.causerie-status'), /published/);
  let t = await thread(p);
  const fromPage = t[0].replies.find((c) => /Answered from the page/.test(c.body_html));
  assert.equal(fromPage?.is_owner, true);

  // from /admin: the reply box beside the comment
  await page.goto(`${svc.url}/admin?status=all`);
  await page.click(`#row-${reader.id} details.reply summary`);
  await page.fill(`#reply-${reader.id}-author`, 'The Author');
  await page.fill(`#reply-${reader.id}-body`, 'Answered from **admin**');
  await Promise.all([page.waitForNavigation(), page.click(`#row-${reader.id} button[form=reply-${reader.id}]`)]);
  assert.match(await page.textContent('#replied'), /is published/);
  const violations = (await axe(page, { runOnly: ['wcag2a', 'wcag2aa'] })).filter((v) => v.impact === 'critical' || v.impact === 'serious');
  assert.deepEqual(violations, []);
  t = await thread(p);
  const fromAdmin = t[0].replies.find((c) => /Answered from <strong>admin<\/strong>/.test(c.body_html));
  assert.equal(fromAdmin?.is_owner, true);
  assert.equal(fromAdmin.author, 'The Author');

  // the post page shows both replies with the author mark
  await page.goto(`${site.url}${p}`);
  await waitFor(async () => (await nested.count()) === 2, { what: 'both replies' });
  assert.equal(await page.locator(`#comment-${reader.id} .comment-replies .comment-owner`).count(), 2);
  await ctx.close();
});
