// A real OpenID Connect provider for comments-service/tests/oidc_indieauth: panva's
// certified `oidc-provider` (tests/package.json), configured here, never faked.
//
// Listens on 127.0.0.1:0 and prints `port <N>`; then reads one line on stdin,
// the relying party's redirect URI, registers the client `causerie` with it
// and prints `ready`. Login and consent are the package's devInteractions
// forms: any login name signs in, as the account of that name.
import http from 'node:http';
import readline from 'node:readline';
import Provider from 'oidc-provider';

const server = http.createServer((req, res) => {
  if (!handler) {
    res.statusCode = 503;
    res.end('not ready');
    return;
  }
  handler(req, res);
});
let handler = null;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`port ${port}\n`);
  const rl = readline.createInterface({ input: process.stdin });
  rl.once('line', (redirectUri) => {
    const provider = new Provider(`http://127.0.0.1:${port}`, {
      clients: [
        {
          client_id: 'causerie',
          client_secret: process.env.OIDC_CLIENT_SECRET,
          redirect_uris: [redirectUri.trim()],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      claims: {
        openid: ['sub'],
        profile: ['name', 'preferred_username', 'website'],
        email: ['email', 'email_verified'],
      },
      // devInteractions' login takes any name; the account's claims follow it.
      async findAccount(ctx, sub) {
        return {
          accountId: sub,
          async claims() {
            return {
              sub,
              name: `Reader ${sub}`,
              preferred_username: sub,
              email: `${sub}@example.org`,
              email_verified: sub !== 'unverified',
            };
          },
        };
      },
      features: { devInteractions: { enabled: true } },
    });
    provider.on('server_error', (ctx, err) => process.stderr.write(`server_error: ${err}\n`));
    handler = provider.callback();
    process.stdout.write('ready\n');
  });
});

process.on('SIGTERM', () => process.exit(0));
