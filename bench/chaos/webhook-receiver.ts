/**
 * The marketplace's end of our outbound webhooks in a chaos run: an HTTP server on a free port of 127.0.0.1 that
 * answers every request 200 and records it (headers lower-cased, the body exactly as sent, when it arrived), for the
 * checks (no event delivered twice, every event delivered).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookDelivery } from './types';

export interface WebhookReceiver {
  url: string;
  deliveries(): WebhookDelivery[];
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookDelivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = String(value);
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    deliveries: () => [...received],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
