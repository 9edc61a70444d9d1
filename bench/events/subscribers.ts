/**
 * The subscribers of the events bench, forked by run.ts: N SSE streams on GET /api/v1/events, one per API key, each
 * reading what arrives and noting, for every bench event, when it arrived (epoch ms, high resolution). Parsing is
 * kept to finding `"bench_seq":<n>` in each complete message, so this process measures delivery, not JSON.
 */
import http from 'node:http';
import type { FromSubscribers, ToSubscribers } from './protocol';

const now = () => performance.timeOrigin + performance.now();
const SEQ = /"bench_seq":(\d+)/;

let seqs: number[] = [];
let arrivals: number[] = [];
let recording = false;
const requests: http.ClientRequest[] = [];

function open(port: number, key: string, onLine: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${key}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let rest = '';
      res.on('data', (chunk: string) => {
        const at = now();
        const messages = (rest + chunk).split('\n\n');
        rest = messages.pop()!;
        for (const m of messages) {
          const match = SEQ.exec(m);
          if (!match) continue;
          onLine();
          if (!recording) continue;
          seqs.push(Number(match[1]));
          arrivals.push(at);
        }
      });
      resolve();
    });
    req.on('error', reject);
    requests.push(req);
  });
}

let received = 0;
process.on('message', (m: ToSubscribers) => {
  const reply = (r: FromSubscribers) => process.send!(r);
  if (m.type === 'open') {
    received = 0;
    Promise.all(m.keys.map((k) => open(m.port, k, () => received++))).then(
      () => reply({ type: 'opened' }),
      (err: Error) => reply({ type: 'failed', message: err.message }),
    );
  } else if (m.type === 'count') {
    reply({ type: 'count', received });
  } else if (m.type === 'record') {
    const recorded: FromSubscribers = { type: 'recorded', seqs: Float64Array.from(seqs), arrivals: Float64Array.from(arrivals) };
    seqs = [];
    arrivals = [];
    recording = m.on;
    reply(recorded);
  } else if (m.type === 'close') {
    for (const r of requests.splice(0)) r.destroy();
    reply({ type: 'closed' });
  }
});
process.once('disconnect', () => process.exit(0));
