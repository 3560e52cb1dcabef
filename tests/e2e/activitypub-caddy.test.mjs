// The same fediverse documents behind a real Caddy (Debian's `caddy`),
// configured with the Caddy lines docs/activitypub.md gives, read from
// between its markers; only the site address and root are the test's.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, tmpdir, waitFor } from './lib.mjs';
import { freePort } from './fediverse/nginx.mjs';
import { buildFediSite, staticChecks } from './fediverse/static-site.mjs';

let work, caddy, base;

/** The directives of the documented site block, without its address and root. */
function documentedDirectives() {
  const doc = readFileSync(join(repoRoot, 'docs/activitypub.md'), 'utf8');
  const m = doc.match(/<!-- caddy-activitypub -->\s*```caddy\n[^\n]*\{\n([\s\S]*?)\n\}\n```/);
  assert.ok(m, 'docs/activitypub.md lost its Caddy block');
  return m[1]
    .split('\n')
    .filter((l) => !/^\s*root\s/.test(l))
    .join('\n');
}

before(async () => {
  const which = spawnSync('sh', ['-c', 'command -v caddy'], { encoding: 'utf8' });
  assert.equal(which.status, 0, 'caddy is missing: apt-get install -y caddy (.ci/run does)');
  work = tmpdir('causerie-ap-caddy-');
  const out = buildFediSite(work);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const home = join(work, 'caddy-home');
  mkdirSync(home, { recursive: true });
  const file = join(work, 'Caddyfile');
  writeFileSync(
    file,
    `{\n\tadmin off\n\tauto_https off\n}\n\n${base} {\n\troot * ${out}\n${documentedDirectives()}\n}\n`,
  );
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home };
  const check = spawnSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8', env });
  assert.equal(check.status, 0, `caddy refuses the documented lines:\n${check.stderr}`);
  caddy = spawn('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { stdio: 'ignore', env });
  await waitFor(async () => (await fetch(`${base}/`)).status < 500, { what: 'caddy' });
});

after(async () => {
  if (caddy && caddy.exitCode === null) {
    const done = new Promise((r) => caddy.once('exit', r));
    caddy.kill('SIGTERM');
    await done;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

staticChecks('caddy', () => base);
