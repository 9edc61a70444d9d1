import { Keypair, xdr } from '@stellar/stellar-sdk';
import { TrustlessWorkClient, TrustlessWorkRefusal, TrustlessWorkUnavailable } from '../../src/providers/trustless-work/client';
import { toWireAmount } from '../../src/providers/trustless-work/amounts';
import {
  contractIdFrom,
  type ExpectedDeploy,
  UnsafeTransactionError,
  verifyAndSign,
  verifyUnsigned,
} from '../../src/providers/trustless-work/verify';
import {
  API_KEY,
  deployBody,
  makeParties,
  type Parties,
  startTw,
  type TwTest,
  usdcContract,
  usdcOf,
} from '../sandbox/trustless-work/helpers';

/**
 * The production adapter against the sandbox Trustless Work API (v2, sandboxes/trustless-work/server.ts, pinned to
 * docs v2-en/api-rest/deploy/* and the SDK's types.payload.ts): nothing is signed before it is verified.
 */
let w: TwTest;
let p: Parties;
let tw: TrustlessWorkClient;
let passphrase: string;
beforeAll(async () => {
  w = await startTw();
  p = await makeParties(w.t);
  tw = new TrustlessWorkClient({ baseUrl: w.tw.url, apiKey: API_KEY, factoryId: w.tw.factoryId });
  passphrase = w.t.sandbox.networkPassphrase;
}, 60_000);
afterAll(() => w?.stop());

/** What we ask for: the platform deploys (as in deployBody), 100 USDC, 5%. */
const ours = (): ExpectedDeploy => ({
  factory: w.tw.factoryId,
  roles: deployBody(w.t, p).roles,
  amount: 1_000_000_000n,
  platformFeeBps: 500n,
  trustline: usdcContract(w.t),
});

async function deploy(): Promise<string> {
  const unsigned = await tw.deploySingleRelease({ ...deployBody(w.t, p), amount: toWireAmount(1_000_000_000n), platformFee: 5 });
  const signed = verifyAndSign(
    unsigned.unsignedXdr,
    { passphrase, source: p.platform.publicKey(), call: { deploy: { ...ours(), contractId: unsigned.contractId } } },
    p.platform,
  );
  const sent = await tw.sendTransaction(signed);
  expect(sent.contractId).toBe(unsigned.contractId);
  return sent.contractId!;
}

test('deploy through the pinned factory and fund, each transaction verified before the role signs it: 100 USDC moves into the contract, read back stroop for stroop', async () => {
  const contractId = await deploy();
  const before = await usdcOf(w.t, p.buyer.publicKey());
  const unsigned = await tw.fundEscrow({ contractId, signer: p.buyer.publicKey(), amount: 100 });
  const signed = verifyAndSign(
    unsigned.unsignedXdr,
    { passphrase, source: p.buyer.publicKey(), call: { contract: contractId, fn: 'fund_escrow' }, amount: 1_000_000_000n },
    p.buyer,
  );
  expect((await tw.sendTransaction(signed)).code).toBe('STELLAR_TX_SUBMITTED');
  expect(await usdcOf(w.t, p.buyer.publicKey())).toBe((Number(before) - 100).toFixed(7));
  const escrows = (await tw.getEscrows([contractId])) as Array<{
    contractId: string;
    amount: number;
    balance: number;
    platformFee: number;
  }>;
  expect(escrows).toEqual([expect.objectContaining({ contractId, amount: 100, balance: 100, platformFee: 5 })]);
});

test('a deployment that differs from what we asked is refused before signing: factory, init_fn, deployer, roles, amount, platform fee, trustline, predicted id', async () => {
  const unsigned = await tw.deploySingleRelease({ ...deployBody(w.t, p), amount: 100, platformFee: 5 });
  const base = { passphrase, source: p.platform.publicKey() };
  const deployWith = (d: Partial<ExpectedDeploy>) => ({ ...base, call: { deploy: { ...ours(), contractId: unsigned.contractId, ...d } } });
  expect(verifyUnsigned(unsigned.unsignedXdr, deployWith({})).source).toBe(p.platform.publicKey());
  const other = 'CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC';
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ factory: other }))).toThrow(/not the pinned factory/);
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ roles: { ...ours().roles, receiver: p.buyer.publicKey() } }))).toThrow(
    /roles\.receiver/,
  );
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ amount: 999_999_999n }))).toThrow(/amount/);
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ platformFeeBps: 250n }))).toThrow(/platform fee/);
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ trustline: p.platform.publicKey() }))).toThrow(/trustline/);
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ contractId: other }))).toThrow(/is not the one the deployment creates/);
  expect(() => verifyUnsigned(unsigned.unsignedXdr, deployWith({ contractId: undefined }))).toThrow(UnsafeTransactionError);
  // The factory calls whatever init_fn it is given on the new escrow (contract.rs `tw_new_single_release_escrow`:
  // `env.invoke_contract(&deployed_address, &init_fn, init_args)`): anything but `initialize_escrow` is refused.
  const envelope = xdr.TransactionEnvelope.fromXDR(unsigned.unsignedXdr, 'base64');
  envelope.v1().tx().operations()[0].body().invokeHostFunctionOp().hostFunction().invokeContract().args()[3] =
    xdr.ScVal.scvSymbol('update_escrow');
  expect(() => verifyUnsigned(envelope.toXDR('base64'), deployWith({}))).toThrow(
    /would call update_escrow on the new escrow, not initialize_escrow/,
  );
  // The deployer must be the account that signs (for orders: the buyer).
  const asBuyer = await tw.deploySingleRelease({ ...deployBody(w.t, p), signer: p.buyer.publicKey(), amount: 100, platformFee: 5 });
  expect(() =>
    verifyUnsigned(asBuyer.unsignedXdr, {
      passphrase,
      source: p.platform.publicKey(),
      call: { deploy: { ...ours(), contractId: asBuyer.contractId } },
    }),
  ).toThrow(/source/);
  // And the prediction the API made is Soroban's id of (network, deployer, salt).
  expect(asBuyer.contractId).not.toBe(unsigned.contractId);
  expect(contractIdFrom(passphrase, p.buyer.publicKey(), Buffer.alloc(32))).toMatch(/^C/);
});

test('a returned call that differs from what we asked is refused before signing: amount, function, contract, source, kind', async () => {
  const contractId = await deploy();
  const { unsignedXdr } = await tw.fundEscrow({ contractId, signer: p.buyer.publicKey(), amount: 100 });
  const base = { passphrase, source: p.buyer.publicKey(), call: { contract: contractId, fn: 'fund_escrow' }, amount: 1_000_000_000n };
  expect(verifyUnsigned(unsignedXdr, base).source).toBe(p.buyer.publicKey());
  expect(() => verifyUnsigned(unsignedXdr, { ...base, amount: 999_999_999n })).toThrow(UnsafeTransactionError);
  expect(() => verifyUnsigned(unsignedXdr, { ...base, call: { contract: contractId, fn: 'release_funds' } })).toThrow(/release_funds/);
  expect(() =>
    verifyUnsigned(unsignedXdr, {
      ...base,
      call: { contract: 'CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC', fn: 'fund_escrow' },
    }),
  ).toThrow(/goes to/);
  expect(() => verifyUnsigned(unsignedXdr, { ...base, source: p.seller.publicKey() })).toThrow(/source/);
  expect(() => verifyUnsigned('AAAA', base)).toThrow(/does not decode/);
  expect(() => verifyAndSign(unsignedXdr, base, Keypair.random())).toThrow(/signing key/);
  expect(() => verifyUnsigned(unsignedXdr, { ...base, call: { deploy: { ...ours(), contractId } } })).toThrow(/pinned factory/);
});

test('refusals and outages are told apart: a bad key is a refusal with AUTH_INVALID_CREDENTIAL (401), an early release ESCROW_NOT_COMPLETED, a dead URL TrustlessWorkUnavailable', async () => {
  const wrongKey = new TrustlessWorkClient({ baseUrl: w.tw.url, apiKey: 'nope' });
  await expect(wrongKey.releaseFunds({ contractId: 'C', releaseSigner: p.buyer.publicKey() })).rejects.toMatchObject({
    name: 'TrustlessWorkRefusal',
    status: 401,
    code: 'AUTH_INVALID_CREDENTIAL',
  });
  const contractId = await deploy();
  const early = tw.releaseFunds({ contractId, releaseSigner: p.buyer.publicKey() });
  await expect(early).rejects.toBeInstanceOf(TrustlessWorkRefusal);
  await expect(tw.releaseFunds({ contractId, releaseSigner: p.buyer.publicKey() })).rejects.toMatchObject({
    status: 409,
    code: 'ESCROW_NOT_COMPLETED',
    knownCode: true,
  });
  const dead = new TrustlessWorkClient({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, timeoutMs: 2000 });
  await expect(dead.getEscrows([contractId])).rejects.toBeInstanceOf(TrustlessWorkUnavailable);
});
