import { Keypair } from '@stellar/stellar-sdk';
import { TrustlessWorkClient, TrustlessWorkRefusal, TrustlessWorkUnavailable } from '../../src/providers/trustless-work/client';
import { UnsafeTransactionError, verifyAndSign, verifyUnsigned } from '../../src/providers/trustless-work/verify';
import { API_KEY, deployBody, makeParties, type Parties, startTw, type TwTest, usdcOf } from '../sandbox/trustless-work/helpers';

/** The production adapter against the sandbox Trustless Work API: nothing is signed before it is verified. */
let w: TwTest;
let p: Parties;
let tw: TrustlessWorkClient;
let passphrase: string;
beforeAll(async () => {
  w = await startTw();
  p = await makeParties(w.t);
  tw = new TrustlessWorkClient({ baseUrl: w.tw.url, apiKey: API_KEY });
  passphrase = w.t.sandbox.networkPassphrase;
}, 60_000);
afterAll(() => w?.stop());

async function deploy(): Promise<string> {
  const body = deployBody(w.t, p, { amount: '100', platformFee: '5' }) as never;
  const unsigned = await tw.deploySingleRelease(body);
  const signed = verifyAndSign(
    unsigned.unsignedTransaction,
    { passphrase, source: p.platform.publicKey(), call: { deploy: true } },
    p.platform,
  );
  const sent = await tw.sendTransaction(signed);
  expect(sent.status).toBe('SUCCESS');
  expect(sent.contractId).toMatch(/^C[A-Z2-7]{55}$/);
  return sent.contractId!;
}

test('deploy and fund through the adapter, each transaction verified before the role signs it: 100 USDC moves into the contract', async () => {
  const contractId = await deploy();
  const before = await usdcOf(w.t, p.buyer.publicKey());
  const unsigned = await tw.fundEscrow({ contractId, signer: p.buyer.publicKey(), amount: '100' });
  const signed = verifyAndSign(
    unsigned.unsignedTransaction,
    { passphrase, source: p.buyer.publicKey(), call: { contract: contractId, fn: 'fund_escrow' }, amount: 1_000_000_000n },
    p.buyer,
  );
  expect((await tw.sendTransaction(signed)).status).toBe('SUCCESS');
  expect(await usdcOf(w.t, p.buyer.publicKey())).toBe((Number(before) - 100).toFixed(7));
  const escrows = (await tw.getEscrows([contractId])) as Array<{
    contractId: string;
    amount: number;
    balance: number;
    platformFee: number;
  }>;
  expect(escrows).toEqual([expect.objectContaining({ contractId, amount: 100, balance: 100, platformFee: 5 })]);
});

test('a returned transaction that differs from what we asked is refused before signing: amount, function, contract, source, kind', async () => {
  const contractId = await deploy();
  const { unsignedTransaction } = await tw.fundEscrow({ contractId, signer: p.buyer.publicKey(), amount: '100' });
  const base = { passphrase, source: p.buyer.publicKey(), call: { contract: contractId, fn: 'fund_escrow' }, amount: 1_000_000_000n };
  expect(verifyUnsigned(unsignedTransaction, base).source).toBe(p.buyer.publicKey());
  expect(() => verifyUnsigned(unsignedTransaction, { ...base, amount: 999_999_999n })).toThrow(UnsafeTransactionError);
  expect(() => verifyUnsigned(unsignedTransaction, { ...base, call: { contract: contractId, fn: 'release_funds' } })).toThrow(
    /release_funds/,
  );
  expect(() =>
    verifyUnsigned(unsignedTransaction, {
      ...base,
      call: { contract: 'CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC', fn: 'fund_escrow' },
    }),
  ).toThrow(/goes to/);
  expect(() => verifyUnsigned(unsignedTransaction, { ...base, source: p.seller.publicKey() })).toThrow(/source/);
  expect(() => verifyUnsigned('AAAA', base)).toThrow(/does not decode/);
  expect(() => verifyAndSign(unsignedTransaction, base, Keypair.random())).toThrow(/signing key/);
  expect(() => verifyUnsigned(unsignedTransaction, { ...base, call: { deploy: true } })).toThrow(/deployment/);
});

test('refusals and outages are told apart: a bad key is a TrustlessWorkRefusal (401), a dead URL is TrustlessWorkUnavailable', async () => {
  const wrongKey = new TrustlessWorkClient({ baseUrl: w.tw.url, apiKey: 'nope' });
  await expect(wrongKey.releaseFunds({ contractId: 'C', releaseSigner: p.buyer.publicKey() })).rejects.toMatchObject({
    name: 'TrustlessWorkRefusal',
    status: 401,
  });
  const contractId = await deploy();
  const early = tw.releaseFunds({ contractId, releaseSigner: p.buyer.publicKey() });
  await expect(early).rejects.toBeInstanceOf(TrustlessWorkRefusal);
  const dead = new TrustlessWorkClient({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, timeoutMs: 2000 });
  await expect(dead.getEscrows([contractId])).rejects.toBeInstanceOf(TrustlessWorkUnavailable);
});
