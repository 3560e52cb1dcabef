// The deployment docs/sign-in.md advises against, checked to degrade
// cleanly: the comment service on another site than the blog (the blog on
// 127.0.0.1, the service on localhost: two sites to the browser). A reader
// who signs in on the service's own pages is still anonymous on the blog's
// page (the browser never sends the cookie there), and embed.js falls back
// to the anonymous form, which still works.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { causerie, serveStatic, tmpdir, waitFor } from './lib.mjs';
import { startInstance } from './fleet.mjs';
import { freePort } from './postgres.mjs';
import { startSmtp, launchBlocking } from './same-site.mjs';

const POST = '/posts/open/';
let smtp, svc, site, siteDir, chrome, other;

before(async () => {
  smtp = await startSmtp();
  siteDir = tmpdir('causerie-xsite-');
  site = await serveStatic(join(siteDir, 'public'));
  const port = await freePort();
  other = `http://localhost:${port}`;
  svc = await startInstance({
    listen: `127.0.0.1:${port}`,
    config: `site_url = "${site.url}/"
moderation = "none"

[limits]
comments_per_minute = 0

[spam]
min_submit_seconds = 0

[mail]
smtp_url = "${smtp.url}"
from = "Blog <blog@open.example>"
public_url = "${other}/"

[sign_in]
email = true
`,
  });
  mkdirSync(join(siteDir, 'content/posts'), { recursive: true });
  writeFileSync(
    join(siteDir, 'causerie.toml'),
    `base_url = "${site.url}/"\ntitle = "Open blog"\n\n[comments]\nurl = "${other}"\n`,
  );
  writeFileSync(join(siteDir, 'content/posts/open.md'), `+++\ntitle = "Open"\ndate = "2026-11-01"\n+++\n\nAnyone may answer.\n`);
  const r = causerie(['build'], { cwd: siteDir });
  assert.equal(r.code, 0, r.stderr);
  chrome = await launchBlocking();
});

after(async () => {
  await chrome?.ctx.close();
  await svc?.stop();
  await site?.close();
  await smtp?.stop();
  for (const d of [siteDir, chrome?.dir, smtp?.dir, svc?.dir]) if (d) rmSync(d, { recursive: true, force: true });
});

test('a service on another site: signed in on its own pages, anonymous on the blog, and the anonymous form still posts', async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(`${site.url}${POST}`);
  await page.waitForSelector('#comments[data-causerie-ready]');
  // sign in through the optional choice (a full-page form post to the service)
  await page.click('.sign-in-optional summary');
  await page.fill('#sign-in-email', 'far@readers.example');
  await Promise.all([page.waitForNavigation(), page.click('.sign-in-email button[type=submit]')]);
  const msg = await waitFor(() => smtp.messages().find((m) => m.to.includes('far@readers.example')), { what: 'the sign-in mail' });
  const link = msg.text.match(/https?:\/\/[^\s<>"]+\/auth\/email\/[^\s<>"]+/)[0];
  await page.goto(link);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  // the session exists on the service's own site…
  const own = await chrome.ctx.request.get(`${other}/api/me`);
  assert.equal(own.status(), 200, 'signed in, first-party on the service');
  // …but the blog's page never sends its cookie
  await page.goto(`${site.url}${POST}`);
  await page.waitForSelector('#comments[data-causerie-ready]');
  const me = await page.evaluate(
    (u) => fetch(`${u}/api/me`, { credentials: 'include' }).then((r) => r.status, () => 0),
    other,
  );
  assert.ok(me === 401 || me === 0, `no session on the blog's page (${me})`);
  assert.equal(await page.locator('.causerie-me').count(), 0, 'not shown as signed in');
  assert.ok(await page.locator('#comment-form input[name=author]').isVisible(), 'the anonymous form');

  await page.fill('#comment-author', 'Far reader');
  await page.fill('#comment-body', 'Anonymous still works.');
  await page.click('#comment-form button[type=submit]');
  await waitFor(async () => /published/.test((await page.textContent('.causerie-status')) || ''), { what: 'the published notice' });
  const thread = await (await fetch(`${svc.url}/api/comments?page=${encodeURIComponent(POST)}`)).json();
  const c = thread.comments.find((x) => x.body_html.includes('Anonymous still works.'));
  assert.equal(c.verified, false);
});
