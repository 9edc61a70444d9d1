import http from 'node:http';

/** What the proxy did, by fault, for a test to see that each happened. */
export interface ProxyFaults {
  unavailable: number;
  answerLost: number;
  hungUp: number;
  forwarded: number;
}

/**
 * An HTTP proxy in front of `target` that breaks a share of the requests, in a fixed rotation by arrival:
 * 503 without forwarding (the API is down for a moment), the request forwarded but its answer lost (the connection
 * closed once the API has acted), and the connection closed before forwarding (a socket hang up). The rest pass.
 */
export async function startFlakyProxy(target: string): Promise<{ url: string; faults: ProxyFaults; stop(): Promise<void> }> {
  const faults: ProxyFaults = { unavailable: 0, answerLost: 0, hungUp: 0, forwarded: 0 };
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const turn = n++ % 6;
      if (turn === 1) {
        faults.unavailable++;
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'proxy: down for a moment', details: {} } }));
        return;
      }
      if (turn === 4) {
        faults.hungUp++;
        req.socket.destroy();
        return;
      }
      const headers = { ...req.headers };
      delete headers.host;
      fetch(`${target}${req.url}`, {
        method: req.method,
        headers: headers as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      })
        .then(async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          if (turn === 3) {
            faults.answerLost++;
            req.socket.destroy();
            return;
          }
          faults.forwarded++;
          res.writeHead(
            answer.status,
            Object.fromEntries(
              [...answer.headers].filter(([k]) => !['content-encoding', 'transfer-encoding', 'content-length'].includes(k)),
            ),
          );
          res.end(body);
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
