/**
 * The load generator of the API bench, in a process of its own (forked by run.ts): a closed loop of `concurrency`
 * clients over keep-alive connections, each sending GET /api/v1/users/{random seeded id} as soon as its previous
 * response has ended. Every response's latency is recorded; non-200 answers count as errors.
 */
import http from 'node:http';
import type { FromLoad, LoadInit, LoadResult, LoadRun, ToLoad } from './protocol';
import { userPath } from './protocol';

let init: LoadInit | null = null;

function request(agent: http.Agent, port: number, path: string, authorization: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ agent, host: '127.0.0.1', port, path, method: 'GET', headers: { authorization } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

async function run({ port, seconds }: LoadRun): Promise<LoadResult> {
  const { ids, authorization, concurrency } = init!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies = new Float64Array(2_000_000);
  let count = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline && count < latencies.length) {
      const id = ids[(Math.random() * ids.length) | 0];
      const t0 = performance.now();
      const status = await request(agent, port, userPath(id), authorization);
      latencies[count++] = performance.now() - t0;
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { type: 'result', port, count, errors, elapsedMs, latencies: latencies.slice(0, count) };
}

const send = (m: FromLoad) => process.send!(m);

process.on('message', (m: ToLoad) => {
  if (m.type === 'init') {
    init = m;
    send({ type: 'ready' });
  } else if (m.type === 'run') {
    run(m).then(send, (err) => {
      console.error('load generator:', err);
      process.exit(1);
    });
  } else {
    process.exit(0);
  }
});
process.once('disconnect', () => process.exit(0));
