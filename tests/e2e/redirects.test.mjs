// Old URLs behind a real nginx: the redirect map that `causerie build`
// writes (public/_causerie/redirects.map), included exactly as docs/import.md
// says, answers 301 for every alias of an imported WordPress blog, including
// the `/?p=ID` addresses no static file can stand for.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { causerie, tmpdir, repoRoot, waitFor } from './lib.mjs';

const FIXTURE = join(repoRoot, 'tests/e2e/fixtures/wordpress-move.xml');
let work, out, nginx, base;

/** A port nothing listens on now (nginx binds it right after). */
async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** GET without following redirects: {status, location}. */
async function head(path) {
  const r = await fetch(`${base}${path}`, { redirect: 'manual' });
  return { status: r.status, location: r.headers.get('location') };
}

before(async () => {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  assert.equal(which.status, 0, 'nginx is missing: apt-get install -y nginx (.ci/run does)');
  work = tmpdir('causerie-redirects-');
  const site = join(work, 'site');
  out = join(site, 'public');
  mkdirSync(join(site, 'content/posts'), { recursive: true });
  writeFileSync(join(site, 'causerie.toml'), 'base_url = "https://notes.example/"\ntitle = "Moving Notes"\n');
  const i = causerie(['import', 'wordpress', FIXTURE, '--root', site]);
  assert.equal(i.code, 0, i.stderr);
  const b = causerie(['build', '--root', site]);
  assert.equal(b.code, 0, b.stderr);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const prefix = join(work, 'nginx');
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${prefix}/tmp/${t};`)
    .join('\n  ');
  // As root, nginx's workers would drop to `nobody`, who cannot read a
  // private temporary directory.
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${user}
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events {}
http {
  access_log off;
  ${temps}
  map $request_uri $causerie_redirect {
    include ${out}/_causerie/redirects.map;
  }
  server {
    listen 127.0.0.1:${port};
    root ${out};
    if ($causerie_redirect) { return 301 $causerie_redirect; }
  }
}
`,
  );
  const args = ['-p', prefix, '-e', `${prefix}/error.log`, '-c', join(prefix, 'nginx.conf')];
  const t = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8' });
  assert.equal(t.status, 0, `nginx -t refuses the documented configuration:\n${t.stderr}`);
  nginx = spawn('nginx', args, { stdio: 'ignore' });
  await waitFor(async () => (await fetch(`${base}/`)).ok, { what: 'nginx' });
});

after(() => {
  nginx?.kill('SIGTERM');
});

test('the map holds every alias of the import, one line each', () => {
  const map = readFileSync(join(out, '_causerie/redirects.map'), 'utf8');
  assert.match(map, /^"\/\?p=101" \S*\/posts\/walking-to-the-harbour\/;$/m, map);
  assert.match(map, /^"\/2019\/05\/walking-to-the-harbour\/" \S*\/posts\/walking-to-the-harbour\/;$/m, map);
  assert.match(map, /^"\/\?p=102" \S*\/posts\/a-quiet-sunday\/;$/m, map);
});

test('nginx answers 301 for WordPress query permalinks and old paths', async () => {
  for (const [from, to] of [
    ['/?p=101', '/posts/walking-to-the-harbour/'],
    ['/?p=102', '/posts/a-quiet-sunday/'],
    ['/2019/05/walking-to-the-harbour/', '/posts/walking-to-the-harbour/'],
  ]) {
    const r = await head(from);
    assert.equal(r.status, 301, `${from} → ${r.status}`);
    assert.ok(r.location?.endsWith(to), `${from} → ${r.location}`);
  }
});

test('addresses that are not aliases are served as they are', async () => {
  assert.equal((await head('/posts/walking-to-the-harbour/')).status, 200);
  assert.equal((await head('/?p=999')).status, 200, 'an unknown ?p= is the home page, not a redirect');
  assert.equal((await head('/?p=1011')).status, 200, 'the map matches whole addresses, not prefixes');
});
