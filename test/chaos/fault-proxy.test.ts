import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultProxy, type ProxiedService } from '../../bench/chaos/fault-proxy';

/** A sandbox stand-in: answers 201 with what it was sent, and counts the requests it took (`hit` resolves on each). */
async function upstream() {
  const seen: Array<{ method: string; url: string; body: string }> = [];
  let onHit: () => void = () => undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString('utf8') });
      onHit();
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' }).end(JSON.stringify({ applied: seen.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    nextHit: () => new Promise<void>((resolve) => (onHit = resolve)),
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('the chaos fault proxy', () => {
  let up: Awaited<ReturnType<typeof upstream>>;
  const proxies: FaultProxy[] = [];
  // random() = 0: every call meets the first fault whose share is above 0.
  const proxy = async (service: ProxiedService, target = up.url) => {
    const p = await startFaultProxy({ service, target, random: () => 0 });
    proxies.push(p);
    return p;
  };
  const post = (url: string, signal?: AbortSignal) => fetch(`${url}/things?x=1`, { method: 'POST', body: '{"a":1}', signal });

  beforeEach(async () => (up = await upstream()));
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.stop();
    await up.stop();
  });

  it('forwards a call without a fault unchanged, path and query kept', async () => {
    const p = await proxy('horizon');
    const res = await post(p.url);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(await res.json()).toEqual({ applied: 1 });
    expect(up.seen).toEqual([{ method: 'POST', url: '/things?x=1', body: '{"a":1}' }]);
    expect(p.counts()).toEqual({ '5xx': 0, '429': 0, 'request-lost': 0, 'answer-lost': 0, forwarded: 1 });
  });

  it('keeps the path of its target (Airtm behind /v2)', async () => {
    const p = await proxy('airtm', `${up.url}/v2`);
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    await post(p.url);
    expect(up.seen[0]!.url).toBe('/v2/things?x=1');
  });

  it("answers Horizon's 503 and 429 problem documents without forwarding", async () => {
    const p = await proxy('horizon');
    p.setShare('5xx', 1);
    const unavailable = await post(p.url);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('content-type')).toBe('application/problem+json');
    expect(await unavailable.json()).toMatchObject({ type: 'https://stellar.org/horizon-errors/service_unavailable', status: 503 });
    p.calm();
    p.setShare('429', 1);
    const limited = await post(p.url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await limited.json()).toMatchObject({ type: 'https://stellar.org/horizon-errors/rate_limit_exceeded', status: 429 });
    expect(up.seen).toHaveLength(0);
    expect(p.counts()).toMatchObject({ '5xx': 1, '429': 1, forwarded: 0 });
  });

  it("answers Trustless Work's problem details (500 STELLAR_RPC_UNAVAILABLE, 429 TOO_MANY_REQUESTS)", async () => {
    const p = await proxy('trustless-work');
    p.setShare('5xx', 1);
    const failed = await post(p.url);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ status: 500, code: 'STELLAR_RPC_UNAVAILABLE', instance: '/things?x=1' });
    p.setShare('5xx', 0);
    p.setShare('429', 1);
    const limited = await post(p.url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', title: 'Too Many Requests' });
    expect(up.seen).toHaveLength(0);
  });

  it("answers Airtm's 500 and 429 as its sandbox's own faults do", async () => {
    const p = await proxy('airtm');
    p.setShare('5xx', 1);
    const failed = await post(p.url);
    expect([failed.status, await failed.json()]).toEqual([500, { message: 'Internal Server Error' }]);
    p.setShare('5xx', 0);
    p.setShare('429', 1);
    const limited = await post(p.url);
    expect([limited.status, limited.headers.get('retry-after'), await limited.json()]).toEqual([
      429,
      '1',
      { message: 'Too Many Requests' },
    ]);
  });

  it('a lost request never reaches the sandbox and is never answered', async () => {
    // The first call the proxy takes is lost, the second goes through, whichever of the two arrives first.
    const draws = [0, 0.99];
    const p = await startFaultProxy({ service: 'trustless-work', target: up.url, random: () => draws.shift()! });
    proxies.push(p);
    p.setShare('request-lost', 0.5);
    const aborts = [new AbortController(), new AbortController()];
    const calls = aborts.map((a) => post(p.url, a.signal).then((res) => res.status));
    const answered = await Promise.race(calls);
    expect(answered).toBe(201);
    aborts.forEach((a) => a.abort());
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(up.seen).toHaveLength(1);
    expect(p.counts()).toMatchObject({ 'request-lost': 1, forwarded: 1 });
  });

  it('a lost answer is applied by the sandbox exactly once and never returned', async () => {
    const p = await proxy('airtm');
    p.setShare('answer-lost', 1);
    const hit = up.nextHit();
    const abort = new AbortController();
    const call = post(p.url, abort.signal);
    await hit;
    abort.abort();
    await expect(call).rejects.toThrow(/abort/i);
    expect(up.seen).toEqual([{ method: 'POST', url: '/things?x=1', body: '{"a":1}' }]);
    p.calm();
    expect(await (await post(p.url)).json()).toEqual({ applied: 2 });
    expect(p.counts()).toEqual({ '5xx': 0, '429': 0, 'request-lost': 0, 'answer-lost': 1, forwarded: 2 });
  });

  it('spreads faults by their shares from its seeded draws', async () => {
    const draws = [0.05, 0.15, 0.25, 0.35, 0.9];
    const p = await startFaultProxy({ service: 'horizon', target: up.url, random: () => draws.shift()! });
    proxies.push(p);
    p.setShare('5xx', 0.1);
    p.setShare('429', 0.1);
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await post(p.url)).status);
    p.setShare('5xx', 0);
    p.setShare('429', 0);
    for (let i = 0; i < 3; i++) statuses.push((await post(p.url)).status);
    expect(statuses).toEqual([503, 429, 201, 201, 201]);
  });
});
