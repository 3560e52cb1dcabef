// A reader with JavaScript (Debian's headless Chromium): a held comment shows
// in place, marked, with its avatar, and stays visible to its author after a
// reload (edit token in localStorage) until it is approved; status messages
// sit next to the form. Real binary, real SQLite.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startService, serveStatic, launchBrowser, tmpdir, waitFor, axe } from './lib.mjs';

const ADMIN = 'e2e-readers-token-0123';
let site, svc, browser, root;

before(async () => {
  root = tmpdir('causerie-readers-site-');
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

test('a held comment shows in place with its avatar, and again after a reload until approved', async () => {
  const p = '/posts/held/';
  mkdirSync(join(root, 'posts/held'), { recursive: true });
  writeFileSync(join(root, 'posts/held/index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Held</title></head><body>
<main><h1>A post</h1><div id="comments"></div></main><script src="${svc.url}/embed.js" defer></script></body></html>`);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${site.url}${p}`);
  await page.waitForSelector('#comments .comment-none');
  await page.fill('#causerie-author', 'Élodie');
  await page.fill('#causerie-body', 'Held for now');
  await page.click('#comments form button[type=submit]');
  const mine = page.locator('#comments li.comment');
  await waitFor(async () => (await mine.count()) === 1, { what: 'the held comment in place' });
  assert.ok(await mine.locator('.comment-pending').isVisible());
  assert.equal(await mine.locator('.avatar').textContent(), 'É');
  assert.match(await mine.locator('.avatar').getAttribute('class'), /^avatar avatar-[0-7]$/);
  assert.equal(await page.locator('.comment-none').count(), 0, 'no "No comments yet" above a comment');
  // the status message is right after the form
  assert.match(await page.textContent('.causerie-status'), /moderation/);
  assert.ok(await page.evaluate(() => document.querySelector('#comment-form').nextElementSibling.classList.contains('causerie-status')));
  const id = Number((await mine.getAttribute('id')).replace('comment-', ''));

  for (let reload = 0; reload < 2; reload++) {
    await page.reload();
    await page.waitForSelector(`#comment-${id} .comment-pending`);
    assert.match(await page.textContent(`#comment-${id} .comment-body`), /Held for now/);
    assert.equal(await page.locator('.comment-none').count(), 0);
  }
  const violations = (await axe(page, { runOnly: ['wcag2a', 'wcag2aa'] })).filter((v) => v.impact === 'critical' || v.impact === 'serious');
  assert.deepEqual(violations, [], 'the held-comment view passes axe-core');
  // another reader does not see it
  const other = await browser.newContext();
  const op = await other.newPage();
  await op.goto(`${site.url}${p}`);
  await op.waitForSelector('#comments .comment-none');
  assert.equal(await op.locator(`#comment-${id}`).count(), 0);
  await other.close();

  // approved: shown to everyone, no longer marked, and forgotten from the held list
  const ok = await fetch(`${svc.url}/admin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `action=approve&id=${id}`,
    redirect: 'manual',
  });
  assert.equal(ok.status, 303);
  await page.reload();
  await page.waitForSelector(`#comment-${id}`);
  await waitFor(async () => (await page.evaluate(() => localStorage.getItem('causerie:token:held'))) === '[]', {
    what: 'the held list emptied',
  });
  assert.equal(await page.locator(`#comment-${id} .comment-pending`).count(), 0);
  await ctx.close();
});
