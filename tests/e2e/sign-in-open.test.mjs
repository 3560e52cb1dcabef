// An open blog that offers sign-in (docs/sign-in.md), in the documented
// deployment (nginx, the service under /comments/) with third-party cookies
// blocked: the anonymous form as before plus a discreet "Sign in"; signed
// in, embed.js drops the name, e-mail and website fields and the comment
// comes back verified; an anonymous comment beside it is not.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { causerie, startService, tmpdir, waitFor, axe } from './lib.mjs';
import { freePort } from './postgres.mjs';
import { startSmtp, startSameSite, launchBlocking } from './same-site.mjs';

const POST = '/posts/open/';
let smtp, svc, web, siteDir, chrome;

before(async () => {
  smtp = await startSmtp();
  const port = await freePort();
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
from = "Open blog <blog@open.example>"
public_url = "${site}/comments/"

[sign_in]
email = true
`,
  });
  siteDir = tmpdir('causerie-open-site-');
  mkdirSync(join(siteDir, 'content/posts'), { recursive: true });
  writeFileSync(join(siteDir, 'causerie.toml'), `base_url = "${site}/"\ntitle = "Open blog"\n\n[comments]\nurl = "${site}/comments"\n`);
  writeFileSync(join(siteDir, 'content/posts/open.md'), `+++\ntitle = "Open"\ndate = "2026-11-01"\n+++\n\nAnyone may answer.\n`);
  web = await startSameSite({ port, root: join(siteDir, 'public'), service: svc.url });
  const r = causerie(['build'], { cwd: siteDir });
  assert.equal(r.code, 0, r.stderr);
  chrome = await launchBlocking();
});

after(async () => {
  await chrome?.ctx.close();
  await web?.stop();
  await svc?.stop();
  await smtp?.stop();
  for (const d of [siteDir, chrome?.dir, smtp?.dir, svc?.dir, web?.dir]) if (d) rmSync(d, { recursive: true, force: true });
});

async function thread() {
  return (await (await fetch(`${web.url}/comments/api/comments?page=${encodeURIComponent(POST)}`)).json()).comments;
}

test('open blog: anonymous form plus a discreet sign-in; signed in, the identity replaces the name fields and the comment is verified', async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(`${web.url}${POST}`);
  await page.waitForSelector('#comments[data-causerie-ready]');
  assert.ok(await page.locator('#comment-author').isVisible(), 'the anonymous form');
  assert.ok(!(await page.locator('#sign-in-email').isVisible()), 'sign-in folded away');
  assert.deepEqual(await axe(page), []);

  // anonymous first
  await page.fill('#comment-author', 'Passer-by');
  await page.fill('#comment-body', 'Anonymous here.');
  await page.click('#comment-form button[type=submit]');
  await waitFor(async () => /published/.test((await page.textContent('.causerie-status')) || ''), { what: 'published' });

  await page.click('.sign-in-optional summary');
  await page.fill('#sign-in-email', 'bea@readers.example');
  await page.fill('#sign-in-name', 'Bea Reader');
  await Promise.all([page.waitForNavigation(), page.click('.sign-in-email button[type=submit]')]);
  const msg = await waitFor(() => smtp.messages().find((m) => m.to.includes('bea@readers.example')), { what: 'the sign-in mail' });
  await page.goto(msg.text.match(/https?:\/\/[^\s<>"]+\/auth\/email\/[^\s<>"]+/)[0]);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, POST);

  await page.waitForSelector('.causerie-me');
  assert.match(await page.locator('.causerie-me').textContent(), /Signed in as Bea Reader/);
  assert.ok(!(await page.locator('#comment-author').isVisible()), 'no name field');
  assert.ok(!(await page.locator('#comment-email').isVisible()), 'no e-mail field');
  assert.ok(!(await page.locator('.sign-in-optional').isVisible()), 'no sign-in choice');
  assert.deepEqual(await axe(page), []);
  await page.fill('#comment-body', 'Signed in here.');
  await page.click('#comment-form button[type=submit]');
  await page.waitForSelector('li.comment:has-text("Signed in here.") .comment-verified');

  const t = await waitFor(async () => {
    const all = await thread();
    return all.some((c) => c.body_html.includes('Signed in here.')) && all;
  }, { what: 'the signed-in comment in the thread' });
  const anon = t.find((c) => c.body_html.includes('Anonymous here.'));
  const mine = t.find((c) => c.body_html.includes('Signed in here.'));
  assert.equal(anon.verified, false);
  assert.equal(mine.verified, true);
  assert.equal(mine.author, 'Bea Reader');
});
