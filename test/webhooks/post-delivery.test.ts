import http from 'node:http';
import { freePort } from '../../devstack/net';
import { postDelivery } from '../../src/webhooks/post-delivery';

/** What one POST comes to when the receiver misbehaves: every failure is an outcome to record, never a throw. */
let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/silent') return; // never answers
    if (req.url === '/moved') return void res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const post = (url: string, timeoutMs = 2000) => postDelivery({ url, headers: {}, body: '{}', timeoutMs, allowInsecure: true });

test('a receiver that does not answer in time: no status, a timeout error', async () => {
  const outcome = await post(`${base}/silent`, 200);
  expect(outcome).toMatchObject({ statusCode: null, error: 'no answer within 200 ms' });
});

test('a redirect is not followed: it is the 302 that is recorded', async () => {
  expect(await post(`${base}/moved`)).toMatchObject({ statusCode: 302, error: null });
});

test('a refused connection: no status, the system error', async () => {
  const outcome = await post(`http://127.0.0.1:${await freePort()}/hook`);
  expect(outcome.statusCode).toBeNull();
  expect(outcome.error).toMatch(/^ECONNREFUSED: /);
});
