import { call, payinBody, startAirtm, submitCheckout, type AirtmTest } from './helpers';

/**
 * The hosted payment page, as #/paths/~1payins/post/description ("Usage") describes it: the user goes to
 * https://<API Host>/payin/:id, confirms or cancels, is redirected to confirmationUri or cancelUri "with code as a query
 * parameter", and the page no longer works after that. Driven here by plain HTTP, as a browser posts a form.
 */
let t: AirtmTest;
beforeEach(async () => {
  t = await startAirtm();
});
afterEach(() => t.stop());

async function newPayin(code: string) {
  return (await call(t.airtm, 'POST', '/payins', payinBody(code))).body as { id: string };
}

test('the page shows the description, the items and the total, and a POST form with Confirm and Cancel', async () => {
  const p = await newPayin('page');
  const res = await fetch(t.airtm.checkoutUrl(p.id));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await res.text();
  expect(html).toContain('<p id="description">Top-up of 12.50 USD</p>');
  expect(html).toContain('<li>Small credit: 2 × 1.25 USD</li>');
  expect(html).toContain('<strong id="amount">12.50 USD</strong>');
  expect(html).toContain(`<form method="post" action="/payin/${p.id}">`);
  expect(html).toContain('value="confirm"');
  expect(html).toContain('value="cancel"');
  // #/tags[name=Payins]/description calls the same page {baseUrl}/checkout/{id}.
  expect((await fetch(`${t.airtm.url}/checkout/${p.id}`)).status).toBe(200);
});

test('Confirm debits the user, credits the enterprise, marks the pay-in CONFIRMED and redirects 303 to confirmationUri?code=', async () => {
  const p = await newPayin('topup_ok');
  const r = await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  expect(r.status).toBe(303);
  expect(r.location).toBe('https://market.example/topups/done?code=topup_ok');
  expect(t.airtm.balanceOf('alice@example.com')).toBe('87.50');
  expect(t.airtm.enterpriseBalance().available).toBe('1012.50');
  expect((await call(t.airtm, 'GET', `/payins/${p.id}`)).body.status).toBe('CONFIRMED');
});

test('Cancel marks the pay-in CANCELED, moves no money and redirects 303 to cancelUri?code=', async () => {
  const p = await newPayin('topup_no');
  const r = await submitCheckout(t.airtm, p.id, { action: 'cancel' });
  expect(r.status).toBe(303);
  expect(r.location).toBe('https://market.example/topups/canceled?code=topup_no');
  expect(t.airtm.balanceOf('alice@example.com')).toBe('100.00');
  expect(t.airtm.enterpriseBalance().available).toBe('1000.00');
  expect((await call(t.airtm, 'GET', `/payins/${p.id}`)).body.status).toBe('CANCELED');
});

test('a user whose balance is short sees 415034 on the page; the pay-in stays CREATED and nothing moves', async () => {
  const p = await newPayin('short');
  const r = await submitCheckout(t.airtm, p.id, { email: 'bob@example.com', action: 'confirm' });
  expect(r.status).toBe(422);
  expect(r.html).toContain('<p id="error" role="alert">User insufficient balance (415034)</p>');
  expect(t.airtm.balanceOf('bob@example.com')).toBe('5.00');
  expect((await call(t.airtm, 'GET', `/payins/${p.id}`)).body.status).toBe('CREATED');
});

test('an email with no Airtm account is refused 415059 on the page', async () => {
  const p = await newPayin('stranger');
  const r = await submitCheckout(t.airtm, p.id, { email: 'nobody@example.com', action: 'confirm' });
  expect(r.status).toBe(404);
  expect(r.html).toContain('(415059)');
});

test('once confirmed or cancelled the page no longer works (410) and a second Confirm moves nothing', async () => {
  const p = await newPayin('once');
  await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  expect((await fetch(t.airtm.checkoutUrl(p.id))).status).toBe(410);
  const again = await submitCheckout(t.airtm, p.id, { email: 'alice@example.com', action: 'confirm' });
  expect(again.status).toBe(410);
  expect(t.airtm.balanceOf('alice@example.com')).toBe('87.50');
});

test('the page of an unknown pay-in is 404, and HTML in the description is escaped', async () => {
  expect((await fetch(t.airtm.checkoutUrl('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  const p = (await call(t.airtm, 'POST', '/payins', payinBody('xss', { description: '<script>alert(1)</script>' }))).body;
  const html = await (await fetch(t.airtm.checkoutUrl(p.id))).text();
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).not.toContain('<script>');
});
