import { DEV_WITNESS_PRIVATE_KEY, startPaymentPlatformSandbox, type PaymentPlatformSandbox } from '../../../sandboxes/payment-platform';
import { verifyProof, type ProofExpectations } from '../../../src/onramp/proof';
import { providerHashesOf } from '../../../src/onramp/proof/provider-hash';

/** The payment platform sandbox over HTTP; its proofs judged by the on-ramp's verifier (src/onramp/proof). */

const INTENT = '0x5e1f0c7a2b3d4e5f60718293a4b5c6d7e8f9011223344556677889900aabbccd';
let clockMs = Date.parse('2026-01-15T10:05:00Z');
let sandbox: PaymentPlatformSandbox;

beforeEach(async () => {
  clockMs = Date.parse('2026-01-15T10:05:00Z');
  sandbox = await startPaymentPlatformSandbox({ port: 0, witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY, clock: () => clockMs });
});
afterEach(() => sandbox.stop());

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const declared = {
  platform: 'venmo',
  amount: '50.00',
  currency: 'USD',
  recipient: '@merchant-venmo',
  senderHandle: '@buyer-1',
  intentHash: INTENT,
  paidAt: '2026-01-15T10:03:00Z',
};

const expectations = (witness: string, overrides: Partial<ProofExpectations> = {}): ProofExpectations => ({
  intentHash: INTENT,
  minFiatAmount: '50',
  fiatCurrency: 'USD',
  recipient: '@merchant-venmo',
  signalledAt: new Date('2026-01-15T10:00:00Z'),
  paymentBufferSeconds: 3600,
  witnesses: [witness],
  threshold: 1,
  now: new Date('2026-01-15T10:06:00Z'),
  maxProofAgeSeconds: 600,
  ...overrides,
});

test('the dev witness key has the documented address', () => {
  expect(sandbox.witnessAddress).toBe('0x084414c218bc21476df2800926a664a0576f2c96');
});

test('a declared payment gets a proof the verifier accepts, for that payment', async () => {
  const created = await call('POST', '/payments', declared);
  expect(created.status).toBe(201);
  const payment = created.json();
  expect(payment).toMatchObject({
    ...declared,
    id: expect.stringMatching(/^pay_[0-9a-f]{24}$/),
    proofUrl: `${sandbox.url}/payments/${String(payment.id)}/proof`,
  });
  const proofRes = await call('GET', `/payments/${String(payment.id)}/proof`);
  expect(proofRes.status).toBe(200);
  const proof = proofRes.json();
  expect(proof).toMatchObject({
    claimData: { provider: 'http', epoch: 1, timestampS: clockMs / 1000 },
    witnesses: [{ id: sandbox.witnessAddress }],
  });
  expect(verifyProof(proof, expectations(sandbox.witnessAddress))).toEqual({
    ok: true,
    proofId: proof.identifier,
    paidAmount: '50',
    paidAt: new Date('2026-01-15T10:03:00Z'),
    paymentId: payment.id,
    signers: [sandbox.witnessAddress],
  });
  expect((await call('GET', `/payments/${String(payment.id)}`)).json()).toEqual(payment);
});

test('the proofs name one provider: its hash, as the SDK computes it, is in the context and on the handle', async () => {
  const one = sandbox.proofOf(sandbox.declarePayment(declared).id) as { claimData: { parameters: string; context: string } };
  const two = sandbox.proofOf(sandbox.declarePayment({ ...declared, amount: '70' }).id) as typeof one;
  expect(providerHashesOf(one.claimData.parameters)).toEqual([sandbox.providerHash]);
  expect(providerHashesOf(two.claimData.parameters)).toEqual([sandbox.providerHash]);
  expect(JSON.parse(one.claimData.context)).toMatchObject({ providerHash: sandbox.providerHash });
  expect((await call('GET', '/witness')).json()).toEqual({ address: sandbox.witnessAddress, providerHash: sandbox.providerHash });
  expect(verifyProof(one, expectations(sandbox.witnessAddress, { providerHashes: [sandbox.providerHash] }))).toMatchObject({ ok: true });
});

test('the sandbox’s proofs are refused where the order does not match', async () => {
  const payment = sandbox.declarePayment({ ...declared, amount: '49.99' });
  const proof = sandbox.proofOf(payment.id);
  const e = expectations(sandbox.witnessAddress);
  expect(verifyProof(proof, e)).toMatchObject({
    ok: false,
    code: 'PROOF_INVALID',
    reason: 'the payment amount is less than the order requires',
  });
  expect(verifyProof(proof, { ...e, minFiatAmount: '49.99', recipient: '@someone-else' })).toMatchObject({ code: 'PROOF_INVALID' });
  expect(verifyProof(proof, { ...e, minFiatAmount: '49.99', intentHash: '0x' + '00'.repeat(32) })).toMatchObject({ code: 'PROOF_INVALID' });
  expect(verifyProof(proof, { ...e, minFiatAmount: '49.99', witnesses: ['0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a'] })).toMatchObject({
    code: 'PROOF_INVALID',
    reason: 'signatures[0] is not from a configured witness',
  });
  expect(verifyProof(proof, { ...e, minFiatAmount: '49.99' })).toMatchObject({ ok: true });
});

test('a proof is dated when it is fetched; fetched late it is PROOF_EXPIRED, while its identifier stays the same', async () => {
  const payment = sandbox.declarePayment(declared);
  const early = sandbox.proofOf(payment.id) as { identifier: string };
  clockMs += 3600_000;
  const late = (await call('GET', `/payments/${payment.id}/proof`)).json();
  expect(late.identifier).toBe(early.identifier);
  expect(verifyProof(late, expectations(sandbox.witnessAddress, { now: new Date(clockMs + 601_000) }))).toMatchObject({
    code: 'PROOF_EXPIRED',
  });
  expect(verifyProof(late, expectations(sandbox.witnessAddress, { now: new Date(clockMs) }))).toMatchObject({ ok: true });
});

test('paidAt defaults to the sandbox’s clock', async () => {
  const { paidAt, ...rest } = declared;
  expect(paidAt).toBeDefined();
  expect((await call('POST', '/payments', rest)).json()).toMatchObject({ paidAt: '2026-01-15T10:05:00Z' });
});

test.each([
  ['an unknown field', { ...declared, tip: '1' }],
  ['no amount', { ...declared, amount: undefined }],
  ['an amount that is a number', { ...declared, amount: 50 }],
  ['a zero amount', { ...declared, amount: '0.00' }],
  ['a negative amount', { ...declared, amount: '-5' }],
  ['a currency that is not a code', { ...declared, currency: 'dollars' }],
  ['an empty recipient', { ...declared, recipient: '' }],
  ['a paidAt without a zone', { ...declared, paidAt: '2026-01-15T10:03:00' }],
  ['a paidAt that is no date', { ...declared, paidAt: '2026-13-45T10:03:00Z' }],
  ['a paidAt on February 30th', { ...declared, paidAt: '2026-02-30T10:03:00Z' }],
])('%s is 400 VALIDATION_ERROR and records nothing', async (_what, body) => {
  const res = await call('POST', '/payments', body);
  expect(res.status).toBe(400);
  expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
  expect(sandbox.payments()).toEqual([]);
});

test('a body that is not a JSON object is 400; unknown payments and routes are 404', async () => {
  expect((await call('POST', '/payments', '{"amount":')).status).toBe(400);
  expect((await call('POST', '/payments', '[1]')).status).toBe(400);
  expect((await call('GET', '/payments/pay_nope/proof')).status).toBe(404);
  expect((await call('GET', '/payments/pay_nope')).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such payment' } });
  expect((await call('DELETE', '/payments')).status).toBe(404);
});

test('a person declares a payment with the form and sees the proof, which verifies', async () => {
  const form = await call('GET', '/');
  expect(form.status).toBe(200);
  expect(form.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(form.text).toContain(`<code id="witness">${sandbox.witnessAddress}</code>`);
  for (const name of Object.keys(declared)) expect(form.text).toContain(`name="${name}"`);

  const submitted = await call(
    'POST',
    '/',
    new URLSearchParams({ ...declared, paidAt: '' }).toString(),
    'application/x-www-form-urlencoded',
  );
  expect(submitted.status).toBe(303);
  const location = submitted.headers.get('location')!;
  expect(location).toMatch(/^\/payments\/pay_[0-9a-f]{24}\/view$/);

  const view = await call('GET', location);
  expect(view.status).toBe(200);
  const pre = /<pre id="proof"[^>]*>([\s\S]*?)<\/pre>/.exec(view.text)![1]!;
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const proof: unknown = JSON.parse(unescape(pre));
  expect(verifyProof(proof, expectations(sandbox.witnessAddress))).toMatchObject({ ok: true, paidAt: new Date('2026-01-15T10:05:00Z') });
});

test('the form shows what was wrong and keeps what was typed, escaped', async () => {
  const res = await call(
    'POST',
    '/',
    new URLSearchParams({ ...declared, amount: 'fifty', recipient: '<b>x</b>' }).toString(),
    'application/x-www-form-urlencoded',
  );
  expect(res.status).toBe(400);
  expect(res.text).toContain('<p id="error" role="alert">amount must be a plain decimal such as &quot;50.00&quot;</p>');
  expect(res.text).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
  expect(sandbox.payments()).toEqual([]);
});
