import { Address, Operation, SorobanDataBuilder, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import { startTrustlessWorkSandbox } from '../../../sandboxes/trustless-work';
import { ESCROW_INIT_FN, ESCROW_WASM_HASH, FACTORY_FN, escrowToScVal } from '../../../sandboxes/trustless-work/contract';
import { submitExpectingFailure } from '../stellar/helpers';
import { API_KEY, call, deployBody, makeParties, sign, startTw, usdcContract, type TwTest } from './helpers';

let w: TwTest;
beforeAll(async () => {
  w = await startTw();
}, 60_000);
afterAll(() => w?.stop());

const submitDirect = (signedXdr: string) =>
  w.t.server.submitTransaction(TransactionBuilder.fromXDR(signedXdr, w.t.sandbox.networkPassphrase));
const escrowIn = (contractId: string) => call(w.tw, 'GET', `/helper/get-escrow-by-contract-ids?contractIds[]=${contractId}`);

test('the default limit is the documented 50 requests a minute per key: the 51st answers 429 TOO_MANY_REQUESTS with Retry-After', async () => {
  // docs api-rest/introduction "Rate limits"; docs v2-en/api-rest/errors/generic-http/too-many-requests.
  const limited = await startTrustlessWorkSandbox({ port: 0, stellar: w.t.sandbox, apiKey: API_KEY });
  try {
    for (let i = 0; i < 50; i++) {
      const res = await call(limited, 'GET', '/helper/get-escrow-by-contract-ids');
      expect([i, res.status]).toEqual([i, 400]);
    }
    const res = await fetch(`${limited.url}/helper/get-escrow-by-contract-ids`, { headers: { 'x-api-key': API_KEY } });
    expect(res.status).toBe(429);
    const wait = Number(res.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await res.json()).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', title: 'Too Many Requests' });
    // Another (wrong) key is not counted against this one: it is refused for what it is.
    expect((await call(limited, 'GET', '/helper/get-escrow-by-contract-ids', undefined, 'other')).body.code).toBe(
      'AUTH_INVALID_CREDENTIAL',
    );
  } finally {
    await limited.stop();
  }
});

test('the read model knows only what was sent through send-transaction or notified: a deploy and a fund submitted straight to the network appear after update-from-txHash', async () => {
  const p = await makeParties(w.t);
  const built = await call(w.tw, 'POST', '/escrow/single-release/v2/deploy', deployBody(w.t, p, { signer: p.buyer.publicKey() }));
  expect(built.status).toBe(200);
  const contractId: string = built.body.contractId;
  const deployed = await submitDirect(sign(w.t, built.body.unsignedXdr, p.buyer));
  // The chain has it (calls are built against it) but the indexer does not (docs .../escrow/escrow-not-found).
  expect([(await escrowIn(contractId)).status, (await escrowIn(contractId)).body.code]).toEqual([404, 'ESCROW_NOT_FOUND']);
  const fundBuilt = await call(w.tw, 'POST', '/escrow/single-release/v2/fund-escrow', {
    contractId,
    signer: p.buyer.publicKey(),
    amount: 100,
  });
  expect(fundBuilt.status).toBe(200);

  // SDK src/client.ts updateFromTxHash → {status, message}.
  const notified = await call(w.tw, 'POST', '/indexer/update-from-txHash', { txHash: deployed.hash });
  expect(notified).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });
  expect((await escrowIn(contractId)).body).toEqual([
    expect.objectContaining({ contractId, amount: 100, balance: 0, platformFee: 5, trustline: { address: usdcContract(w.t) } }),
  ]);

  const funded = await submitDirect(sign(w.t, fundBuilt.body.unsignedXdr, p.buyer));
  expect((await escrowIn(contractId)).body[0].balance).toBe(0); // not told yet
  expect((await call(w.tw, 'POST', '/indexer/update-from-txHash', { txHash: funded.hash })).body.status).toBe('SUCCESS');
  expect((await escrowIn(contractId)).body[0].balance).toBe(100);

  const unknown = await call(w.tw, 'POST', '/indexer/update-from-txHash', { txHash: 'ab'.repeat(32) });
  expect(unknown).toMatchObject({ status: 200, body: { status: 'FAILED' } });
});

test('an indexer held back: the deploy answer has no escrow, the read model 404s and update-from-txHash answers FAILED until it catches up', async () => {
  const p = await makeParties(w.t);
  w.tw.holdIndexer(true);
  try {
    const built = await call(w.tw, 'POST', '/escrow/single-release/v2/deploy', deployBody(w.t, p));
    const sent = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: sign(w.t, built.body.unsignedXdr, p.platform) });
    expect(sent.status).toBe(200);
    expect(sent.body.contractId).toBe(built.body.contractId);
    expect(sent.body.escrow).toBeUndefined();
    expect((await escrowIn(built.body.contractId)).body.code).toBe('ESCROW_NOT_FOUND');
    expect((await call(w.tw, 'POST', '/indexer/update-from-txHash', { txHash: sent.body.txHash })).body.status).toBe('FAILED');
    w.tw.holdIndexer(false);
    expect((await call(w.tw, 'POST', '/indexer/update-from-txHash', { txHash: sent.body.txHash })).body.status).toBe('SUCCESS');
    expect((await escrowIn(built.body.contractId)).body[0]).toMatchObject({ contractId: built.body.contractId, amount: 100 });
  } finally {
    w.tw.holdIndexer(false);
  }
});

test('the factory traps a deployment whose deployer is not the account that signs it, and one with another wasm hash', async () => {
  const p = await makeParties(w.t);
  const body = deployBody(w.t, p);
  const escrow = escrowToScVal({
    engagementId: 'e',
    title: body.title,
    description: body.description,
    roles: body.roles,
    amount: 1_000_000_000n,
    platformFeeBps: 500n,
    milestones: [{ description: 'm', status: 'pending', evidence: '', approved: false }],
    flags: { disputed: false, released: false, resolved: false },
    trustline: { address: usdcContract(w.t) },
    receiverMemo: 0,
  });
  const attempt = async (deployer: string, wasmHash: Buffer) => {
    const acc = await w.t.server.loadAccount(p.platform.publicKey());
    const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: w.t.sandbox.networkPassphrase })
      .addOperation(
        Operation.invokeContractFunction({
          contract: w.tw.factoryId,
          function: FACTORY_FN,
          args: [
            new Address(deployer).toScVal(),
            xdr.ScVal.scvBytes(wasmHash),
            xdr.ScVal.scvBytes(Buffer.alloc(32, 9)),
            xdr.ScVal.scvSymbol(ESCROW_INIT_FN),
            xdr.ScVal.scvVec([escrow]),
            xdr.ScVal.scvVec([]),
          ],
        }),
      )
      .setSorobanData(new SorobanDataBuilder().setResourceFee(100000).build())
      .setTimeout(60)
      .build();
    tx.sign(p.platform);
    return (await submitExpectingFailure(w.t, tx)).data.extras!.result_codes;
  };
  expect(await attempt(p.buyer.publicKey(), ESCROW_WASM_HASH)).toEqual({ transaction: 'tx_failed', operations: ['function_trapped'] });
  expect(await attempt(p.platform.publicKey(), Buffer.alloc(32, 1))).toEqual({
    transaction: 'tx_failed',
    operations: ['function_trapped'],
  });
});
