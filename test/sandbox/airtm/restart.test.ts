import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, payinBody, startAirtm, submitCheckout } from './helpers';

test('with a data file, users, balances, pay-ins and payouts outlive a restart, and a waiting payout still completes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airtm-sandbox-'));
  const dataFile = path.join(dir, 'airtm.json');
  let t = await startAirtm({ dataFile });
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('keep'))).body;
  await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  const open = (await call(t.airtm, 'POST', '/payins', payinBody('still-open'))).body;
  const w = (
    await call(t.airtm, 'POST', '/payouts', { airtmUserEmail: 'erin@example.com', amount: 3, notes: 'n', code: 'wd', commit: true })
  ).body;
  expect(w.status).toBe('PENDING');
  await t.stop();

  // Different start-up users and balance: ignored, the file wins.
  t = await startAirtm({ dataFile, users: [], enterpriseBalance: '1.00' });
  try {
    expect((await call(t.airtm, 'GET', `/payins/${p.id}`)).body).toMatchObject({
      status: 'CONFIRMED',
      airtmUserEmail: 'alice@example.com',
      amount: 12.5,
    });
    expect(t.airtm.balanceOf('alice@example.com')).toBe('87.50');
    expect(t.airtm.enterpriseBalance()).toEqual({ available: '1009.50', pending: '3.00' });
    expect((await fetch(t.airtm.checkoutUrl(open.id))).status).toBe(200);
    expect((await submitCheckout(t.airtm, open.id, { email: 'bob@example.com', action: 'cancel' })).status).toBe(303);
    t.airtm.putUser('erin@example.com');
    expect((await call(t.airtm, 'GET', '/payouts/by-code/wd')).body).toMatchObject({ id: w.id, status: 'COMPLETED' });
    expect(t.airtm.balanceOf('erin@example.com')).toBe('3.00');
  } finally {
    await t.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
