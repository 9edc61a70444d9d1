import { startWebhookReceiver } from '../../bench/chaos/webhook-receiver';

describe('the chaos webhook receiver', () => {
  it('answers 200 and records each request in arrival order: headers lower-cased, the body exactly as sent', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const raw = '{"type":"order.created","data":{"amount":"1.5000000"}}  ';
      const first = await fetch(receiver.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Webhook-Id': 'msg_1', 'Webhook-Signature': 'v1,abc' },
        body: raw,
      });
      expect(first.status).toBe(200);
      const second = await fetch(receiver.url, { method: 'POST', headers: { 'webhook-id': 'msg_1' }, body: 'not json \u00e9' });
      expect(second.status).toBe(200);
      const got = receiver.deliveries();
      expect(got.map((d) => d.body)).toEqual([raw, 'not json \u00e9']);
      expect(got[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-signature': 'v1,abc' });
      expect(got[1]!.headers['webhook-id']).toBe('msg_1');
      expect(got[0]!.receivedAt).toBeLessThanOrEqual(got[1]!.receivedAt);
    } finally {
      await receiver.stop();
    }
  });
});
