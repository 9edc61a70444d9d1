import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chaosClient } from '../../bench/chaos/lifecycles/client';
import { confirm } from '../../bench/chaos/lifecycles/topups';
import type { ChaosEndpoints } from '../../bench/chaos/types';
import { API_KEY, API_SECRET, call, payinBody, startAirtm, type AirtmTest } from '../sandbox/airtm/helpers';

/**
 * The top-up lifecycles' press of Confirm on Airtm's hosted page goes through the chaos fault proxy, as the product's
 * calls do (the page is on Airtm's API host). K=200 seed 11 lost two top-ups to a press whose 303 the proxy dropped
 * after the sandbox applied it: the lifecycle must then read the pay-in and go on, as a user reloading the page would.
 */
type Mode = 'pass' | 'answer-lost' | '500' | 'refuse';
let t: AirtmTest;
let page: { url: string; posts: number; modes: Mode[]; stop(): Promise<void> };

/** In front of the sandbox: each page POST meets the next mode (then 'pass'). */
async function startPageProxy(target: string): Promise<typeof page> {
  const origin = new URL(target);
  const state = { posts: 0, modes: [] as Mode[] };
  const server = http.createServer((req, res) => {
    const mode = req.method === 'POST' ? (state.posts++, state.modes.shift() ?? 'pass') : 'pass';
    if (mode === '500')
      return void (req.resume(), res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}'));
    if (mode === 'refuse')
      return void (req.resume(), res.writeHead(400, { 'content-type': 'text/html' }).end('<p>Choose Confirm or Cancel</p>'));
    const upstream = http.request(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (mode === 'answer-lost') return void (answer.resume(), answer.on('end', () => req.socket.destroy()));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  });
}

beforeEach(async () => {
  t = await startAirtm();
  t.airtm.setConfirmOutcome('PROCESSING');
  page = await startPageProxy(t.airtm.url);
});
afterEach(async () => {
  await page.stop();
  await t.stop();
});

async function pressConfirm(...modes: Mode[]) {
  const payin = (await call(t.airtm, 'POST', '/payins', payinBody(`chaos_${Math.random()}`))).body as { id: string };
  page.modes.push(...modes);
  const endpoints = { airtm: { apiUrl: t.airtm.apiUrl, basic: `${API_KEY}:${API_SECRET}` } } as ChaosEndpoints;
  const api = chaosClient({ endpoints, random: Math.random, deadlineMs: 20_000, log: () => {} });
  const view = { airtm_payin_id: payin.id, confirmation_url: `${page.url}/payin/${payin.id}` };
  const outcome = await confirm(api, { email: 'alice@example.com', view }).then(
    () => 'confirmed',
    (err: Error) => err.message,
  );
  return { outcome, status: (await call(t.airtm, 'GET', `/payins/${payin.id}`)).body.status as string };
}

test('a press whose 303 is lost after Airtm applied it is read back from the pay-in, and not pressed again', async () => {
  expect(await pressConfirm('answer-lost')).toEqual({ outcome: 'confirmed', status: 'PROCESSING' });
  expect(page.posts).toBe(1);
  // Applied once: alice paid 12.50 out of 100.00 a single time.
  expect(t.airtm.balanceOf('alice@example.com')).toBe('87.50');
});

test("a press answered with Airtm's 500 before it reached the page is pressed again", async () => {
  expect(await pressConfirm('500', '500')).toEqual({ outcome: 'confirmed', status: 'PROCESSING' });
  expect(page.posts).toBe(3);
  expect(t.airtm.balanceOf('alice@example.com')).toBe('87.50');
});

test("a page's own refusal ends the lifecycle with it, the pay-in left CREATED", async () => {
  const r = await pressConfirm('refuse');
  expect(r.status).toBe('CREATED');
  expect(r.outcome).toMatch(/^Airtm's page answered 400: <p>Choose Confirm or Cancel<\/p> to the confirmation$/);
  expect(page.posts).toBe(1);
});
