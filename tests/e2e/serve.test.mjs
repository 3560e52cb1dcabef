// `causerie serve` in a real browser: the open tab reloads by itself after
// an edit (tower-livereload's event stream), a broken file shows the error
// overlay with `path:line: message` over the last good page, and fixing it
// clears the overlay. Real binary on 127.0.0.1:0, Debian's headless Chromium.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, tmpdir, waitFor, launchBrowser, axe } from './lib.mjs';

function post(root, slug, body, date = '2026-01-01') {
  const dir = join(root, 'content', 'posts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${slug}.md`), `+++\ntitle = "Post ${slug}"\ndate = "${date}"\n+++\n${body}\n`);
}

/** Starts `causerie serve --port 0` in `root`; resolves to {url, proc, stop()}. */
async function serve(root) {
  const proc = spawn(bin('causerie'), ['serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const url = await waitFor(() => out.match(/Listening for changes on (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1], {
    timeoutMs: 60_000,
    what: `serve to listen (stderr: ${err})`,
  });
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      proc.on('exit', (code) => resolve(code));
      proc.kill('SIGINT');
    });
  return { url, proc, stop, output: () => out };
}

test('an open tab reloads after an edit, shows the overlay for a broken file and clears it', async () => {
  const root = join(tmpdir('causerie-serve-'), 'site');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'causerie.toml'), 'base_url = "https://blog.example/"\ntitle = "Live"\n');
  post(root, 'one', 'First words.');
  post(root, 'two', 'Second post.', '2026-01-02');
  const srv = await serve(root);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // Each loaded page opens the reload stream; an edit made before it is
    // open would reload nothing, so every step waits for it first.
    const streamOpen = () =>
      page.waitForResponse((r) => r.url().includes('/_causerie/livereload/event-stream'), { timeout: 30_000 });
    let open = streamOpen();
    await page.goto(`${srv.url}posts/one/`);
    await open;
    assert.match(await page.textContent('body'), /First words\./);
    // Mark this document: a real reload replaces it.
    await page.evaluate(() => (window.__before_reload = true));

    open = streamOpen();
    post(root, 'one', 'Words after the edit.');
    await waitFor(async () => /Words after the edit\./.test(await page.textContent('body')), {
      timeoutMs: 30_000,
      what: 'the tab to reload with the edit',
    });
    assert.equal(await page.evaluate(() => window.__before_reload), undefined, 'the page was reloaded, not patched');
    await open;
    open = streamOpen();

    // A broken file: the overlay names path:line over the last good page.
    writeFileSync(join(root, 'content', 'posts', 'two.md'), '+++\ntitle = "Two"\ndate = "soon"\n+++\nbody\n');
    const overlay = await waitFor(async () => {
      const el = await page.$('#causerie-error-overlay');
      return el && (await el.isVisible()) ? el : null;
    }, { timeoutMs: 30_000, what: 'the error overlay' });
    assert.match(await overlay.textContent(), /content\/posts\/two\.md:3: /);
    assert.match(await page.textContent('body'), /Words after the edit\./, 'the last good page stays underneath');
    // The overlay is readable over the theme's styles (its pre once took the theme's light background).
    const contrast = await axe(page, { runOnly: ['color-contrast'] });
    assert.deepEqual(contrast, [], `overlay contrast: ${JSON.stringify(contrast, null, 2)}`);
    await open;

    // Fixed: the tab reloads again and the overlay is gone.
    post(root, 'two', 'Second post, fixed.', '2026-01-02');
    await waitFor(async () => (await page.$('#causerie-error-overlay')) === null, {
      timeoutMs: 30_000,
      what: 'the overlay to clear',
    });
    await page.goto(`${srv.url}posts/two/`);
    assert.match(await page.textContent('body'), /Second post, fixed\./);
  } finally {
    await browser.close();
    const code = await srv.stop();
    assert.equal(code, 0, 'Ctrl-C stops serve cleanly');
    assert.match(srv.output(), /stopped/);
  }
});
