// Signing in to comment in the documented deployment (docs/sign-in.md): the
// built site and the real causerie-comments behind one nginx (the service
// under /comments/), a real SMTP server for the e-mail link, and Debian's
// Chromium with third-party cookies blocked. A login-only blog: the baked
// page says "You must be signed in to comment." and offers the sign-in forms
// (checked with JavaScript on and off, with vnu and axe); a reader signs in
// by e-mail link and posts from the static page; the comment comes back
// `verified` and, after a rebuild, is marked on the baked page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { causerie, startService, tmpdir, waitFor, axe, vnu } from './lib.mjs';
import { freePort } from './postgres.mjs';
import { startSmtp, startSameSite, launchBlocking } from './same-site.mjs';

const REQUIRED = 'You must be signed in to comment.';
const POST = '/posts/members/';
let smtp, svc, web, siteDir, port, chrome;
const dirs = [];

function build() {
  const r = causerie(['build'], { cwd: siteDir });
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(join(siteDir, 'public/posts/members/index.html'), 'utf8');
}

/** The sign-in link of the newest mail to `to`. */
async function linkFor(to, seen) {
  const msg = await waitFor(() => smtp.messages().filter((m) => m.to.includes(to))[seen], {
    what: `sign-in mail ${seen + 1} to ${to}`,
  });
  const m = msg.text.match(/https?:\/\/[^\s<>"]+\/auth\/email\/[^\s<>"]+/);
  assert.ok(m, `a sign-in link in: ${msg.text}`);
  return m[0];
}

before(async () => {
  smtp = await startSmtp();
  port = await freePort();
  const site = `http://127.0.0.1:${port}`;
  svc = await startService({
    config: `site_url = "${site}/"
moderation = "none"
trusted_proxies = ["127.0.0.1"]

[limits]
comments_per_minute = 0

[spam]
min_submit_seconds = 0

[mail]
smtp_url = "${smtp.url}"
from = "Members blog <blog@members.example>"
public_url = "${site}/comments/"

[sign_in]
required = true
email = true
`,
    env: { RUST_LOG: 'info' },
  });
  siteDir = tmpdir('causerie-signin-site-');
  mkdirSync(join(siteDir, 'content/posts'), { recursive: true });
  writeFileSync(
    join(siteDir, 'causerie.toml'),
    `base_url = "${site}/"\ntitle = "Members blog"\n\n[author]\nname = "Olive Owner"\n\n[comments]\nurl = "${site}/comments"\n`,
  );
  writeFileSync(
    join(siteDir, 'content/posts/members.md'),
    `+++\ntitle = "Members only"\ndate = "2026-11-01"\n+++\n\nOnly signed-in readers may answer this.\n`,
  );
  web = await startSameSite({ port, root: join(siteDir, 'public'), service: svc.url });
  build();
});

after(async () => {
  await chrome?.ctx.close();
  await web?.stop();
  await svc?.stop();
  await smtp?.stop();
  for (const d of [siteDir, chrome?.dir, smtp?.dir, svc?.dir, web?.dir, ...dirs]) if (d) rmSync(d, { recursive: true, force: true });
});

test('the browser under test blocks third-party cookies (a cross-site frame cannot set one)', async () => {
  // A frame from another site (localhost is not 127.0.0.1's site) answering
  // with a cookie that would be accepted in a cross-site context if
  // third-party cookies were allowed (SameSite=None; Secure, which Chromium
  // takes on http://localhost).
  const frame = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'probe=1; SameSite=None; Secure; Path=/' }).end('<p>frame</p>'),
  );
  await new Promise((r) => frame.listen(0, '127.0.0.1', r));
  const fp = frame.address().port;
  const page = `<!doctype html><title>top</title><iframe src="http://localhost:${fp}/" title="third party"></iframe>`;
  const top = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
  await new Promise((r) => top.listen(0, '127.0.0.1', r));
  const seen = {};
  try {
    for (const block of [false, true]) {
      const b = await launchBlocking({ block });
      dirs.push(b.dir);
      const p = await b.ctx.newPage();
      let served = false;
      frame.once('request', () => (served = true));
      await p.goto(`http://127.0.0.1:${top.address().port}/`);
      await waitFor(() => served, { what: 'the frame to load' });
      await p.waitForTimeout(300);
      seen[block] = (await b.ctx.cookies(`http://localhost:${fp}/`)).map((c) => c.name);
      await b.ctx.close();
    }
  } finally {
    frame.close();
    top.close();
  }
  assert.deepEqual(seen[false], ['probe'], 'the probe works: an ordinary profile keeps the cookie');
  assert.deepEqual(seen[true], [], 'the blocking profile drops it');
});

test('login-only page without JavaScript: the text and the sign-in form, no anonymous form; sign-in through full-page redirects', async () => {
  const html = readFileSync(join(siteDir, 'public/posts/members/index.html'), 'utf8');
  assert.ok(html.includes(REQUIRED));
  assert.ok(!html.includes('id="comment-form"'));
  assert.deepEqual(vnu([join(siteDir, 'public/posts/members/index.html')]), []);

  const b = await launchBlocking({ javaScriptEnabled: false });
  dirs.push(b.dir);
  const page = await b.ctx.newPage();
  await page.goto(`${web.url}${POST}`);
  assert.equal(await page.locator('.sign-in-required').textContent(), REQUIRED);
  assert.equal(await page.locator('#comment-form').count(), 0, 'no anonymous form');
  assert.equal(await page.locator('input[name=author]').count(), 0);
  // the e-mail form posts to the service through nginx
  await page.fill('#sign-in-email', 'nojs@readers.example');
  await page.fill('#sign-in-name', 'Nojs Reader');
  const [sent] = await Promise.all([page.waitForNavigation(), page.click('.sign-in-email button[type=submit]')]);
  assert.ok(sent.status() < 400, `the e-mail form's answer: ${sent.status()}`);
  const link = await linkFor('nojs@readers.example', 0);
  assert.ok(link.startsWith(`${web.url}/comments/auth/email/`), `the link goes through the prefix: ${link}`);
  // the link shows one button (a prefetching scanner spends nothing); pressing it signs in
  const shown = await page.goto(link);
  assert.equal(shown.status(), 200);
  const [landed] = await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, POST, `back on the post: ${landed?.status()} ${await page.content()}`);
  const me = await b.ctx.request.get(`${web.url}/comments/api/me`);
  assert.equal(me.status(), 200, 'the session cookie is first-party under /comments/');
  // the link worked once
  const again = await b.ctx.newPage();
  await again.goto(link);
  const [spent] = await Promise.all([again.waitForNavigation(), again.click('form button[type=submit]')]);
  assert.equal(spent.status(), 410, 'a spent link is refused');
  await again.close();

  // signed in without JavaScript: the service's own form (it carries the token)
  await page.goto(`${web.url}${POST}`);
  await Promise.all([page.waitForNavigation(), page.click('.sign-in-already a')]);
  assert.ok(page.url().startsWith(`${web.url}/comments/auth/comment?`), page.url());
  await page.fill('textarea[name=body]', 'Posted without JavaScript.');
  const [posted] = await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.ok(posted.status() < 400, `the signed-in form post lands (${posted.status()})`);
  const thread = await (await fetch(`${web.url}/comments/api/comments?page=${encodeURIComponent(POST)}`)).json();
  const c = thread.comments.find((x) => x.body_html.includes('Posted without JavaScript.'));
  assert.ok(c, 'stored');
  assert.equal(c.verified, true);
  assert.equal(c.author, 'Nojs Reader');

  // and signs out with the page's plain form
  await page.goto(`${web.url}${POST}`);
  await Promise.all([page.waitForNavigation(), page.click('.sign-in-already button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, POST);
  assert.equal((await b.ctx.request.get(`${web.url}/comments/api/me`)).status(), 401, 'signed out');
  await b.ctx.close();
});

test('a reader signs in by e-mail link on the static page, posts with JavaScript, and the comment is verified and marked after a rebuild', async () => {
  chrome = await launchBlocking();
  const page = await chrome.ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${web.url}${POST}`);
  await page.waitForSelector('#comments[data-causerie-ready]');
  // signed out: the sign-in choices, no form, even after embed.js ran
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#comment-form').count(), 0);
  assert.ok(await page.locator('#sign-in').isVisible());
  assert.deepEqual(await axe(page), []);

  await page.fill('#sign-in-email', 'ada@readers.example');
  await page.fill('#sign-in-name', 'Ada Reader');
  await Promise.all([page.waitForNavigation(), page.click('.sign-in-email button[type=submit]')]);
  const link = await linkFor('ada@readers.example', 0);
  await page.goto(link);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, POST);

  // signed in: embed.js shows who, the form without name/e-mail, no sign-in choices
  await page.waitForSelector('#comment-form');
  const who = await page.locator('.causerie-me').textContent();
  assert.match(who, /Signed in as Ada Reader · Sign out/);
  assert.ok(!(await page.locator('#sign-in').isVisible()));
  assert.equal(await page.locator('#comment-form input[name=author]').count(), 0);
  assert.deepEqual(await axe(page), []);
  await page.fill('#causerie-body', 'Signed in and verified.');
  await page.click('#comment-form button[type=submit]');
  await waitFor(async () => /published/.test(await page.textContent('.causerie-status')), { what: 'the published notice' });
  const li = page.locator('li.comment', { hasText: 'Signed in and verified.' });
  assert.equal(await li.locator('.comment-verified').count(), 1, 'marked live');

  const thread = await (await fetch(`${web.url}/comments/api/comments?page=${encodeURIComponent(POST)}`)).json();
  const c = thread.comments.find((x) => x.body_html.includes('Signed in and verified.'));
  assert.ok(c, 'stored');
  assert.equal(c.verified, true);
  assert.equal(c.author, 'Ada Reader');
  assert.ok(!JSON.stringify(thread).includes('ada@readers.example'), 'the address is never public');

  // the rebuild bakes the mark
  const html = build();
  const at = html.indexOf(`id="comment-${c.id}"`);
  assert.ok(at > 0, 'baked');
  assert.ok(html.slice(at, html.indexOf('comment-body', at)).includes('comment-verified'), 'marked on the baked page');
  assert.deepEqual(vnu([join(siteDir, 'public/posts/members/index.html')]), []);
  await page.reload();
  await page.waitForSelector(`#comment-${c.id} .comment-verified`);
  assert.deepEqual(await axe(page), []);

  // signing out brings the sign-in choices back
  await page.click('.causerie-sign-out');
  await page.waitForLoadState('load');
  await page.waitForSelector('#sign-in', { state: 'visible' });
  assert.equal(await page.locator('#comment-form').count(), 0);
  assert.equal((await chrome.ctx.request.get(`${web.url}/comments/api/me`)).status(), 401);
  assert.deepEqual(errors, []);
});
