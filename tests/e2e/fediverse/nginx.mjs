// nginx serving a built site with the fediverse rules of docs/activitypub.md
// (read from between its markers, so the tests run the documented lines).

import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { repoRoot, waitFor } from '../lib.mjs';

/** A port nothing listens on now. */
export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** The nginx lines of the docs, between the markers. */
export function documentedRules() {
  const doc = readFileSync(join(repoRoot, 'docs/activitypub.md'), 'utf8');
  const m = doc.match(/<!-- nginx-activitypub -->\s*```nginx\n([\s\S]*?)```/);
  assert.ok(m, 'docs/activitypub.md lost its nginx block');
  return m[1];
}

/** Starts nginx on 127.0.0.1:`port` with `root`; {url, stop()}. */
export async function startNginx(work, root, port) {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  assert.equal(which.status, 0, 'nginx is missing: apt-get install -y nginx (.ci/run does)');
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
  include /etc/nginx/mime.types;
  ${temps}
  server {
    listen 127.0.0.1:${port};
    root ${root};
${documentedRules()}
  }
}
`,
  );
  const args = ['-p', prefix, '-e', `${prefix}/error.log`, '-c', join(prefix, 'nginx.conf')];
  const t = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8' });
  assert.equal(t.status, 0, `nginx -t refuses the documented configuration:\n${t.stderr}`);
  const proc = spawn('nginx', args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/`)).status < 500, { what: 'nginx' });
  return {
    url,
    async stop() {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    },
  };
}
