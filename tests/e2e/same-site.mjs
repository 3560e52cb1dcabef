// The documented sign-in deployment (docs/sign-in.md), for real: Debian's
// nginx serving the built site and proxying /comments/ to causerie-comments,
// a real SMTP server (aiosmtpd's Maildir handler, from tests/.venv) for the
// e-mail links, and Debian's Chromium on a fresh profile whose preferences
// block third-party cookies.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumArgs, python, tmpdir, waitFor } from './lib.mjs';
import { freePort } from './postgres.mjs';

const asRoot = process.getuid?.() === 0;

/** The Python of tests/.venv (CAUSERIE_VENV when tests/run set it). */
function venvPython() {
  const venv = process.env.CAUSERIE_VENV || new URL('../.venv', import.meta.url).pathname;
  return join(venv, 'bin', 'python');
}

/** aiosmtpd on a free port, storing every message in a Maildir. */
export async function startSmtp({ dir = tmpdir('causerie-smtp-') } = {}) {
  const port = await freePort();
  const maildir = join(dir, 'maildir');
  const proc = spawn(
    venvPython(),
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: 'ignore' },
  );
  const onExit = () => proc.kill('SIGKILL');
  process.once('exit', onExit);
  const { connect } = await import('node:net');
  await waitFor(
    () =>
      new Promise((ok) => {
        if (proc.exitCode !== null) throw new Error(`aiosmtpd exited ${proc.exitCode}`);
        const s = connect(port, '127.0.0.1', () => {
          s.end();
          ok(true);
        });
        s.on('error', () => ok(false));
      }),
    { what: 'aiosmtpd' },
  );
  return {
    port,
    dir,
    url: `smtp://127.0.0.1:${port}`,
    /** Every message so far: [{to, subject, text}] (text: the plain part). */
    messages() {
      const out = python(
        `import json, mailbox
box = mailbox.Maildir(${JSON.stringify(maildir)}, create=True)
msgs = []
for m in box:
    text = ""
    for part in m.walk():
        if part.get_content_type() == "text/plain":
            text += part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    msgs.append({"to": m["To"], "subject": str(m["Subject"]), "text": text})
print(json.dumps(msgs))`,
      );
      return JSON.parse(out);
    },
    async stop() {
      process.removeListener('exit', onExit);
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    },
  };
}

/**
 * nginx on `port` serving `root` (the built site) and proxying `/comments/`
 * to the service at `service` (http://127.0.0.1:PORT), as docs/sign-in.md
 * shows. Returns {url, stop(), errorLog()}.
 */
export async function startSameSite({ port, root, service, dir = tmpdir('causerie-nginx-') }) {
  const which = spawnSync('sh', ['-c', 'command -v nginx || command -v /usr/sbin/nginx'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('nginx is missing: apt-get install -y nginx (.ci/run does)');
  const nginx = which.stdout.trim().split('\n')[0];
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/tmp/${t};`).join('\n  ');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${asRoot ? 'user root root;' : ''}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  ${temps}
  types { text/html html; text/css css; application/javascript js; application/xml xml; application/json json; }
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location /comments/ {
      proxy_pass ${service}/;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # The service's own root-relative redirects and cookie paths
      # (/posted/ID after a no-JS comment) get the prefix back.
      proxy_redirect / /comments/;
      proxy_cookie_path /posted/ /comments/posted/;
    }
  }
}
`,
  );
  const args = ['-p', dir, '-e', `${dir}/error.log`, '-c', conf];
  const t = spawnSync(nginx, [...args, '-t'], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`nginx -t refuses the config:\n${t.stderr}`);
  const proc = spawn(nginx, args, { stdio: 'ignore' });
  const onExit = () => proc.kill('SIGKILL');
  process.once('exit', onExit);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}`);
      return (await fetch(`${url}/comments/healthz`)).status === 200;
    },
    { what: 'nginx and the service behind it' },
  );
  return {
    url,
    dir,
    errorLog: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      process.removeListener('exit', onExit);
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGQUIT');
      await done;
    },
  };
}

/**
 * Debian's Chromium on a fresh --user-data-dir whose preferences block
 * third-party cookies (the setting behind chrome://settings/cookies "Block
 * third-party cookies": `profile.cookie_controls_mode` 1, and the older
 * `profile.block_third_party_cookies`). Returns a persistent context.
 */
export async function launchBlocking({ javaScriptEnabled = true, block = true } = {}) {
  const { chromium } = await import('playwright-core');
  const dir = tmpdir('causerie-chromium-');
  mkdirSync(join(dir, 'Default'), { recursive: true });
  const profile = block ? { cookie_controls_mode: 1, block_third_party_cookies: true } : { cookie_controls_mode: 0 };
  writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile }));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    javaScriptEnabled,
  });
  return { ctx, dir };
}
