import { chromium, type Browser } from 'playwright-core';
import { startAirtmStack, type AirtmStack } from '../helpers/airtm-stack';
import { unique } from '../helpers/app';
import { eventually } from '../helpers/stellar-stack';
// Plain Node, shared with `npm test`, which installs Chromium with apt-get when it is missing (scripts/ensure-deps.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findChromium } = require('../../scripts/ensure-deps') as { findChromium(): string | null };

/**
 * A person tops up through Airtm's hosted payment page, in a real headless Chromium (the system's `chromium` package):
 * open the top-up's confirmation_url, name their Airtm account, press Confirm, come back to the marketplace, and the
 * balance shows the money. No browser is a failure, not a skip: `npm test` installs it.
 */
let s: AirtmStack;
let browser: Browser;
let key: string;
beforeAll(async () => {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found: `npm test` installs it (apt-get install chromium), or set CHROMIUM_PATH');
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  s = await startAirtmStack({ TOPUP_POLL_INITIAL_MS: '60000' });
  key = await s.api.keyWith('read', 'write');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

test('open the top-up URL, confirm on Airtm’s page, return: the balance shows 15.75 once', async () => {
  const user = await s.airtmUser(key, '100.00');
  const created = await s.api.call('POST', '/api/v1/topups', {
    key,
    body: { user_id: user.id, amount: '15.75', currency: 'USD' },
    headers: { 'idempotency-key': unique('browser') },
  });
  expect(created.status).toBe(201);
  const topup = created.body.data;

  const page = await browser.newPage();
  await page.goto(topup.confirmation_url);
  expect(await page.textContent('#amount')).toBe('15.75 USD');
  await page.fill('#email', user.email);
  await Promise.all([page.waitForURL((url) => url.pathname === '/api/v1/airtm/return'), page.click('#confirm')]);

  // Back at the marketplace: the return carries the top-up and says it proves nothing.
  const returned = new URL(page.url());
  expect(returned.searchParams.get('topup_id')).toBe(topup.id);
  expect(returned.searchParams.get('outcome')).toBe('confirmed');
  expect(JSON.parse((await page.textContent('body'))!).data).toMatchObject({ topup_id: topup.id, outcome: 'confirmed' });

  const done = await s.topupReaching(key, topup.id, 'TOPUP_SUCCEEDED');
  expect(done.payer_email).toBe(user.email);
  await eventually(async () => (await s.balance(key, user.id)).available === '15.75', 15_000, 'balance');
  expect(await s.balance(key, user.id)).toEqual({ currency: 'USD', available: '15.75', held: '0' });
  expect(s.airtm.balanceOf(user.email)).toBe('84.25');
  // The page is closed once used (#/paths/~1payins/post/description: "will no longer function").
  const again = await page.goto(topup.confirmation_url);
  expect(again?.status()).toBe(410);
  await page.close();
}, 60_000);
