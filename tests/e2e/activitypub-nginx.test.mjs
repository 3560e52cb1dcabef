// The fediverse documents behind a real nginx, configured with exactly the
// lines docs/activitypub.md gives (read from between its markers):
// WebFinger answers whatever the query string, the actor, outbox and post
// objects are `application/activity+json`, and a post URL asked for with
// `Accept: application/activity+json` answers the object.

import { before, after } from 'node:test';
import { rmSync } from 'node:fs';
import { tmpdir } from './lib.mjs';
import { freePort, startNginx } from './fediverse/nginx.mjs';
import { buildFediSite, staticChecks } from './fediverse/static-site.mjs';

let work, nginx;

before(async () => {
  work = tmpdir('causerie-ap-nginx-');
  nginx = await startNginx(work, buildFediSite(work), await freePort());
});

after(async () => {
  await nginx?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

staticChecks('nginx', () => nginx.url);
