// A real fediverse peer for the tests: a Fedify Federation (the npm
// `@fedify/fedify` framework, not a fake) with one actor, `alice`, her own
// RSA key pair, and inbox listeners. Started by a test as
// `node peer.mjs`; it listens on 127.0.0.1:0 and prints its origin as the
// first stdout line. The test steers it over HTTP on the same port:
//   POST /_peer/follow {"actor": URL}   sends Follow (Fedify signs it)
//   POST /_peer/undo {"actor": URL}     sends Undo(Follow)
//   POST /_peer/signed {"inbox": URL, "activity": {...}, "spec": "..."}
//        answers a request Fedify signed, as {headers, body}, unsent
//   POST /_peer/send {"inbox": URL, "activity": {...}}  signs it as alice (or `as`) and sends it
//   POST /_peer/hold {"ms": N}         holds each inbox POST N ms first
//   GET  /_peer/received                inbox POSTs by activity id
//   GET  /_peer/events                  what the inbox listeners received
// Fedify verifies every incoming signature before a listener runs, so an
// event here means the sender's signature checked out.

import { createServer } from 'node:http';
import { createFederation, MemoryKvStore, generateCryptoKeyPair, signRequest } from '@fedify/fedify';
import { Accept, Create, Endpoints, Follow, Person, Undo, Update, Delete } from '@fedify/vocab';

const events = [];
// Every POST that reached an inbox, by activity id (before Fedify's
// de-duplication), and a hold on inbox POSTs (to kill a sender mid-send).
const received = {};
let holdMs = 0;
const keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
let follows = 0;

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });

federation
  .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
    if (!['alice', 'bob'].includes(identifier)) return null;
    const [pair] = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: identifier === 'alice' ? 'Alice Peer' : 'Bob Peer',
      url: new URL(`/@${identifier}`, ctx.origin),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pair.cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (['alice', 'bob'].includes(identifier) ? [keys] : []));

federation
  .setInboxListeners('/users/{identifier}/inbox', '/inbox')
  .on(Accept, async (_ctx, a) => {
    // The Follow is the peer's own: its id is enough (the peer does not
    // serve its Follows, so it is not fetched again).
    events.push({ type: 'Accept', actor: a.actorId?.href, object: a.objectId?.href ?? null });
  })
  .on(Create, async (_ctx, c) => {
    const object = await c.getObject();
    events.push({ type: 'Create', actor: c.actorId?.href, object: object?.id?.href ?? null });
  })
  .on(Update, async (_ctx, u) => {
    events.push({ type: 'Update', actor: u.actorId?.href, object: u.objectId?.href ?? null });
  })
  .on(Delete, async (_ctx, d) => {
    events.push({ type: 'Delete', actor: d.actorId?.href, object: d.objectId?.href ?? null });
  });

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function json(res, status, v) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(v));
}

let origin;

async function control(req, res, body) {
  const ctx = federation.createContext(new URL(origin), undefined);
  const me = ctx.getActorUri('alice');
  const args = body.length ? JSON.parse(body) : {};
  if (req.url === '/_peer/events') return json(res, 200, events);
  if (req.url === '/_peer/received') return json(res, 200, received);
  if (req.url === '/_peer/hold') {
    holdMs = args.ms ?? 0;
    return json(res, 200, { holdMs });
  }
  if (req.url === '/_peer/follow' || req.url === '/_peer/undo') {
    const blog = await ctx.lookupObject(args.actor);
    if (!blog) return json(res, 502, { error: `cannot look up ${args.actor}` });
    const follow = new Follow({ id: new URL(`/follows/${++follows}`, origin), actor: me, object: blog.id });
    const activity =
      req.url === '/_peer/follow'
        ? follow
        : new Undo({ id: new URL(`/undos/${follows}`, origin), actor: me, object: follow });
    try {
      await ctx.sendActivity({ identifier: 'alice' }, blog, activity, { immediate: true });
      return json(res, 200, { sent: activity.id.href });
    } catch (e) {
      return json(res, 502, { error: String(e?.message ?? e) });
    }
  }
  if (req.url === '/_peer/signed') {
    const payload = JSON.stringify({ ...args.activity, actor: me.href });
    const unsigned = new Request(args.inbox, {
      method: 'POST',
      headers: { 'content-type': 'application/activity+json' },
      body: payload,
    });
    const signed = await signRequest(unsigned, keys.privateKey, new URL(`${me.href}#main-key`), {
      spec: args.spec ?? 'draft-cavage-http-signatures-12',
    });
    return json(res, 200, { headers: Object.fromEntries(signed.headers), body: payload });
  }
  if (req.url === '/_peer/send') {
    // An activity in Mastodon's shape, signed by Fedify with alice's key.
    const payload = JSON.stringify(args.activity);
    const signed = await signRequest(
      new Request(args.inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: payload }),
      keys.privateKey,
      new URL(`${ctx.getActorUri(args.as ?? 'alice').href}#main-key`),
      { spec: args.spec ?? 'draft-cavage-http-signatures-12' },
    );
    const r = await fetch(signed);
    return json(res, 200, { status: r.status, body: await r.text() });
  }
  return json(res, 404, { error: 'no such control' });
}

const server = createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    if (req.url.startsWith('/_peer/')) return await control(req, res, body.toString('utf8'));
    if (req.method === 'POST' && req.url.includes('inbox')) {
      try {
        const id = JSON.parse(body.toString('utf8')).id;
        received[id] = (received[id] ?? 0) + 1;
      } catch {}
      if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
    }
    const request = new Request(new URL(req.url, origin), {
      method: req.method,
      headers: req.headers,
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : body,
    });
    const response = await federation.fetch(request, { contextData: undefined });
    if (response.status >= 400) console.error(`${req.method} ${req.url} -> ${response.status}`);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    console.error(e?.stack ?? e);
    res.writeHead(500);
    res.end(String(e?.stack ?? e));
  }
});

server.listen(0, '127.0.0.1', () => {
  origin = `http://127.0.0.1:${server.address().port}`;
  console.log(origin);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
