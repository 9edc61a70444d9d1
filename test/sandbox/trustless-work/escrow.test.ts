import { Address, Keypair, Operation, SorobanDataBuilder, StrKey, TransactionBuilder, type xdr } from '@stellar/stellar-sdk';
import { distributionFees } from '../../../src/escrow/fees';
import { contractIdFrom } from '../../../src/providers/trustless-work/verify';
import {
  API_KEY,
  act,
  call,
  deliverAndApprove as twDeliverAndApprove,
  deployAndFund as twDeployAndFund,
  deployBody as twDeployBody,
  escrowOf as twEscrowOf,
  makeParties,
  party,
  sign,
  startTw,
  usdcOf,
  usdcStroops,
  type Parties,
  type TwTest,
} from './helpers';

let w: TwTest;

beforeAll(async () => {
  w = await startTw();
});

afterAll(async () => {
  await w?.stop();
});

const parties = () => makeParties(w.t);
const deployBody = (p: Parties, overrides: Record<string, unknown> = {}) => twDeployBody(w.t, p, overrides);
const deployAndFund = (p: Parties) => twDeployAndFund(w, p);
const deliverAndApprove = (p: Parties, contractId: string) => twDeliverAndApprove(w, p, contractId);
const escrowOf = (contractId: string) => twEscrowOf(w, contractId);

describe('the happy path on the sandbox network', () => {
  test('deploy, fund, deliver, approve and release: the receiver gets the amount less 0.3% and the 5% platform fee', async () => {
    const p = await parties();

    // Deploy (docs v2-en/api-rest/deploy/initialize-escrow.md): {unsignedXdr, txHash, contractId}, the contract id
    // predicted; the transaction calls the factory (Indexer escrow_parser.go ParseSingleReleaseEscrowArgs).
    const built = await call(w.tw, 'POST', '/escrow/single-release/v2/deploy', deployBody(p));
    expect(built.status).toBe(200);
    expect(Object.keys(built.body).sort()).toEqual(['contractId', 'txHash', 'unsignedXdr']);
    const tx = TransactionBuilder.fromXDR(built.body.unsignedXdr, w.t.sandbox.networkPassphrase) as any;
    expect(tx.source).toBe(p.platform.publicKey());
    expect(built.body.txHash).toBe(tx.hash().toString('hex'));
    const factoryCall = tx.operations[0].func.invokeContract();
    expect(Address.fromScAddress(factoryCall.contractAddress()).toString()).toBe(w.tw.factoryId);
    expect(factoryCall.functionName().toString()).toBe('tw_new_single_release_escrow');
    const args = factoryCall.args();
    expect(args.length).toBe(6);
    expect(Address.fromScVal(args[0]).toString()).toBe(p.platform.publicKey());
    expect(contractIdFrom(w.t.sandbox.networkPassphrase, p.platform.publicKey(), Buffer.from(args[2].bytes()))).toBe(built.body.contractId);
    const deployed = await call(w.tw, 'POST', '/stellar/send-transaction', {
      signedXdr: sign(w.t, built.body.unsignedXdr, p.platform),
    });
    expect(deployed.status).toBe(200);
    // docs v2-en/api-rest/stellar/send-transaction: a factory deploy answers {txHash, ledger, contractId, escrow}.
    expect(deployed.body).toMatchObject({
      txHash: built.body.txHash,
      ledger: expect.any(Number),
      contractId: built.body.contractId,
      escrow: { amount: 100, balance: 0, platformFee: 5, flags: { disputed: false, released: false, resolved: false } },
    });
    expect(deployed.body.code).toBeUndefined();
    const contractId: string = deployed.body.contractId;

    // Fund: the buyer's USDC moves into the contract.
    const fundBuilt = await call(w.tw, 'POST', '/escrow/single-release/v2/fund-escrow', {
      contractId,
      signer: p.buyer.publicKey(),
      amount: 100,
    });
    expect(fundBuilt.status).toBe(200);
    const fundTx = TransactionBuilder.fromXDR(fundBuilt.body.unsignedXdr, w.t.sandbox.networkPassphrase) as any;
    const invoke = fundTx.operations[0].func.invokeContract();
    expect(Address.fromScAddress(invoke.contractAddress()).toString()).toBe(contractId);
    expect(invoke.functionName().toString()).toBe('fund_escrow');
    const funded = await call(w.tw, 'POST', '/stellar/send-transaction', {
      signedXdr: sign(w.t, fundBuilt.body.unsignedXdr, p.buyer),
    });
    expect(funded.body).toMatchObject({ code: 'STELLAR_TX_SUBMITTED', txHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await usdcOf(w.t, p.buyer.publicKey())).toBe('50.0000000');
    const payments = await w.t.server.payments().forAccount(p.buyer.publicKey()).order('desc').limit(1).call();
    expect((payments.records[0] as any).asset_balance_changes).toEqual([
      expect.objectContaining({ from: p.buyer.publicKey(), to: contractId, amount: '100.0000000', asset_code: 'USDC' }),
    ]);
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100 });

    await deliverAndApprove(p, contractId);
    expect((await escrowOf(contractId)).milestones).toEqual([
      { description: 'Deliver the logo', status: 'completed', evidence: 'https://example.com/logo.svg', approved: true },
    ]);

    const feeBefore = await usdcStroops(w.t, w.tw.feeAccount);
    const released = await act(w, '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }, p.buyer);
    expect(released.status).toBe(200);
    expect(await usdcOf(w.t, p.seller.publicKey())).toBe('94.7000000');
    expect(await usdcOf(w.t, p.platform.publicKey())).toBe('5.0000000');
    expect((await usdcStroops(w.t, w.tw.feeAccount)) - feeBefore).toBe(3_000_000n);
    expect(await escrowOf(contractId)).toMatchObject({ balance: 0, flags: { disputed: false, released: true, resolved: false } });
  });

  test('dispute by the approver, resolved 60/40 by the dispute resolver: each share is paid less 0.3% and the platform fee', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const disputed = await act(w, '/escrow/single-release/v2/dispute', { contractId, signer: p.buyer.publicKey() }, p.buyer);
    expect(disputed.status).toBe(200);
    expect((await escrowOf(contractId)).flags).toEqual({ disputed: true, released: false, resolved: false });

    const feeBefore = await usdcStroops(w.t, w.tw.feeAccount);
    const resolved = await act(
      w,
      '/escrow/single-release/v2/resolve-dispute',
      {
        contractId,
        disputeResolver: p.platform.publicKey(),
        distributions: [
          { address: p.buyer.publicKey(), amount: 60 },
          { address: p.seller.publicKey(), amount: 40 },
        ],
      },
      p.platform,
    );
    expect(resolved.status).toBe(200);
    // Buyer: 50 left after funding + 60 − 0.18 − 3; seller: 40 − 0.12 − 2; platform: 3 + 2.
    expect(await usdcOf(w.t, p.buyer.publicKey())).toBe('106.8200000');
    expect(await usdcOf(w.t, p.seller.publicKey())).toBe('37.8800000');
    expect(await usdcOf(w.t, p.platform.publicKey())).toBe('5.0000000');
    expect((await usdcStroops(w.t, w.tw.feeAccount)) - feeBefore).toBe(3_000_000n); // 0.18 + 0.12
    expect(await escrowOf(contractId)).toMatchObject({ balance: 0, flags: { disputed: false, released: false, resolved: true } });
  });

  test('an odd total split unevenly: the contract moves exactly what the ledger books (fees on the total, shares rounded down)', async () => {
    const p = await parties();
    const deployed = await act(w, '/escrow/single-release/v2/deploy', deployBody(p, { amount: 1.0000001, platformFee: 2.5 }), p.platform);
    expect(deployed.status).toBe(200);
    const contractId: string = deployed.body.contractId;
    const funded = await act(
      w,
      '/escrow/single-release/v2/fund-escrow',
      { contractId, signer: p.buyer.publicKey(), amount: 1.0000001 },
      p.buyer,
    );
    expect(funded.status).toBe(200);
    expect((await act(w, '/escrow/single-release/v2/dispute', { contractId, signer: p.buyer.publicKey() }, p.buyer)).status).toBe(200);
    const before = {
      buyer: await usdcStroops(w.t, p.buyer.publicKey()),
      seller: await usdcStroops(w.t, p.seller.publicKey()),
      platform: await usdcStroops(w.t, p.platform.publicKey()),
      fee: await usdcStroops(w.t, w.tw.feeAccount),
    };
    const resolved = await act(
      w,
      '/escrow/single-release/v2/resolve-dispute',
      {
        contractId,
        disputeResolver: p.platform.publicKey(),
        distributions: [
          { address: p.seller.publicKey(), amount: 0.6000001 },
          { address: p.buyer.publicKey(), amount: 0.4 },
        ],
      },
      p.platform,
    );
    expect(resolved.status).toBe(200);
    const moved = {
      buyer: (await usdcStroops(w.t, p.buyer.publicKey())) - before.buyer,
      seller: (await usdcStroops(w.t, p.seller.publicKey())) - before.seller,
      platform: (await usdcStroops(w.t, p.platform.publicKey())) - before.platform,
      fee: (await usdcStroops(w.t, w.tw.feeAccount)) - before.fee,
    };
    // Hand-computed from the contract's formula (docs/trustless-work.md, worked example): fees on 10 000 001 are
    // 30 000 and 250 000; seller shares 18 000 + 150 000, buyer shares 11 999 + 99 999.
    expect(moved).toEqual({ seller: 5_832_001n, buyer: 3_888_002n, platform: 249_999n, fee: 29_999n });
    // And what the ledger books for that resolution is the same, stroop for stroop.
    const [seller, buyer] = distributionFees([6_000_001n, 4_000_000n], 250n);
    expect({
      seller: seller!.net,
      buyer: buyer!.net,
      platform: seller!.platform + buyer!.platform,
      fee: seller!.protocol + buyer!.protocol,
    }).toEqual(moved);
    expect(await escrowOf(contractId)).toMatchObject({ balance: 0, flags: { resolved: true } });
  });
});

describe('refusals', () => {
  test('approve signed by the service provider instead of the approver: 422 STELLAR_TX_OPERATION_FAILED (tx_bad_auth) from send-transaction, 403 when building; nothing approved', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const built = await call(w.tw, 'POST', '/escrow/single-release/v2/approve-milestone', {
      contractId,
      milestoneIndex: '0',
      approver: p.buyer.publicKey(),
    });
    const sent = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: sign(w.t, built.body.unsignedXdr, p.seller) });
    // send-transaction forwards the envelope as signed: the network refuses it (docs
    // v2-en/api-rest/errors/stellar/stellar-tx-operation-failed, 422), in RFC 9457 form.
    expect(sent.status).toBe(422);
    expect(sent.body).toMatchObject({
      type: 'https://docs.trustlesswork.com/trustless-work/v2-en/api-rest/errors/stellar-tx-operation-failed',
      title: 'Validation Error',
      status: 422,
      code: 'STELLAR_TX_OPERATION_FAILED',
      instance: '/stellar/send-transaction',
      traceId: expect.stringMatching(/^[0-9a-f]{16}$/),
      extensions: { resultCodes: { transaction: 'tx_bad_auth' } },
    });
    // Asking to build it in the service provider's name is refused too.
    const asSeller = await call(w.tw, 'POST', '/escrow/single-release/v2/approve-milestone', {
      contractId,
      milestoneIndex: '0',
      approver: p.seller.publicKey(),
    });
    expect([asSeller.status, asSeller.body.code]).toEqual([403, 'ESCROW_ONLY_APPROVER_CAN_APPROVE']);
    expect(asSeller.body.detail).toBe('Only the approver can approve milestones');
    expect((await escrowOf(contractId)).milestones[0].approved).toBe(false);
  });

  test('the contract itself refuses a release by someone else: send-transaction forwards it, the network answers function_trapped (422 STELLAR_TX_OPERATION_FAILED)', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    await deliverAndApprove(p, contractId);
    const acc = await w.t.server.loadAccount(p.seller.publicKey());
    const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: w.t.sandbox.networkPassphrase })
      .addOperation(
        Operation.invokeContractFunction({
          contract: contractId,
          function: 'release_funds',
          args: [new Address(p.seller.publicKey()).toScVal(), new Address(w.tw.feeAccount).toScVal()],
        }),
      )
      .setSorobanData(new SorobanDataBuilder().setResourceFee(100000).build())
      .setTimeout(60)
      .build();
    tx.sign(p.seller);
    const viaApi = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: tx.toXDR() });
    expect([viaApi.status, viaApi.body.code]).toEqual([422, 'STELLAR_TX_OPERATION_FAILED']);
    expect(viaApi.body.extensions.resultCodes).toEqual({ transaction: 'tx_failed', operations: ['function_trapped'] });
    // Built through the API in the seller's name: the contract error, pinned (escrow-only-release-signer-can-release).
    const asSeller = await call(w.tw, 'POST', '/escrow/single-release/v2/release-funds', {
      contractId,
      releaseSigner: p.seller.publicKey(),
    });
    expect([asSeller.status, asSeller.body.code]).toEqual([403, 'ESCROW_ONLY_RELEASE_SIGNER_CAN_RELEASE']);
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100, flags: { released: false } });
  });

  test('release before the milestone is approved: 409 ESCROW_NOT_COMPLETED, the funds stay in the escrow', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const res = await call(w.tw, 'POST', '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() });
    // docs v2-en/api-rest/deploy/approve-and-release-milestones: "traps with ESCROW_NOT_COMPLETED".
    expect([res.status, res.body.code]).toEqual([409, 'ESCROW_NOT_COMPLETED']);
    expect(res.body.detail).toBe('The escrow milestones must be approved before the funds are released');
    expect((await escrowOf(contractId)).balance).toBe(100);
  });

  test('release while disputed: 409 when building; a release built before the dispute fails on chain: 422 STELLAR_TX_OPERATION_FAILED, function_trapped', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    await deliverAndApprove(p, contractId);
    const stale = await call(w.tw, 'POST', '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() });
    expect(stale.status).toBe(200);
    expect((await act(w, '/escrow/single-release/v2/dispute', { contractId, signer: p.seller.publicKey() }, p.seller)).status).toBe(200);

    const now = await call(w.tw, 'POST', '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() });
    expect([now.status, now.body.code, now.body.detail]).toEqual([409, 'ESCROW_OPENED_FOR_DISPUTE_RESOLUTION', 'The escrow is in dispute']);

    const sent = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: sign(w.t, stale.body.unsignedXdr, p.buyer) });
    expect(sent.status).toBe(422);
    expect(sent.body).toMatchObject({
      status: 422,
      code: 'STELLAR_TX_OPERATION_FAILED',
      detail: 'The transaction failed on the Stellar network',
      extensions: { resultCodes: { transaction: 'tx_failed', operations: ['function_trapped'] }, txHash: expect.any(String) },
    });
    expect(await usdcOf(w.t, p.seller.publicKey())).toBe('0.0000000');
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100, flags: { disputed: true, released: false } });
  });

  test('a dispute opened by the dispute resolver: 403 ESCROW_DISPUTE_RESOLVER_CANNOT_DISPUTE when building, trapped by the contract when sent', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const built = await call(w.tw, 'POST', '/escrow/single-release/v2/dispute', { contractId, signer: p.platform.publicKey() });
    // pinned: docs v2-en/api-rest/errors/escrow/escrow-dispute-resolver-cannot-dispute (403).
    expect([built.status, built.body.code]).toEqual([403, 'ESCROW_DISPUTE_RESOLVER_CANNOT_DISPUTE']);

    // The same call built by hand and signed by the resolver.
    const acc = await w.t.server.loadAccount(p.platform.publicKey());
    const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: w.t.sandbox.networkPassphrase })
      .addOperation(
        Operation.invokeContractFunction({
          contract: contractId,
          function: 'dispute_escrow',
          args: [new Address(p.platform.publicKey()).toScVal()],
        }),
      )
      .setSorobanData(new SorobanDataBuilder().setResourceFee(100000).build())
      .setTimeout(60)
      .build();
    tx.sign(p.platform);
    const sent = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: tx.toXDR() });
    expect([sent.status, sent.body.code]).toEqual([422, 'STELLAR_TX_OPERATION_FAILED']);
    expect(sent.body.extensions.resultCodes.operations).toEqual(['function_trapped']);
    expect((await escrowOf(contractId)).flags.disputed).toBe(false);
  });

  test('a resolution whose amounts do not add up to the balance: 422 ESCROW_DISTRIBUTIONS_MUST_EQUAL_BALANCE; by someone else: 403; nothing paid', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    expect((await act(w, '/escrow/single-release/v2/dispute', { contractId, signer: p.buyer.publicKey() }, p.buyer)).status).toBe(200);
    for (const amounts of [
      [60, 39.9999999],
      [60, 40.0000001],
    ]) {
      const res = await call(w.tw, 'POST', '/escrow/single-release/v2/resolve-dispute', {
        contractId,
        disputeResolver: p.platform.publicKey(),
        distributions: [
          { address: p.buyer.publicKey(), amount: amounts[0] },
          { address: p.seller.publicKey(), amount: amounts[1] },
        ],
      });
      expect([res.status, res.body.code]).toEqual([422, 'ESCROW_DISTRIBUTIONS_MUST_EQUAL_BALANCE']);
      expect(res.body.detail).toBe('The sum of the distributions must equal the escrow balance');
    }
    const byBuyer = await call(w.tw, 'POST', '/escrow/single-release/v2/resolve-dispute', {
      contractId,
      disputeResolver: p.buyer.publicKey(),
      distributions: [{ address: p.buyer.publicKey(), amount: 100 }],
    });
    expect([byBuyer.status, byBuyer.body.code]).toEqual([403, 'ESCROW_ONLY_DISPUTE_RESOLVER_CAN_RESOLVE']);
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100, flags: { disputed: true, resolved: false } });
  });

  test('no x-api-key, or a wrong one: 401 AUTH_INVALID_CREDENTIAL on every endpoint', async () => {
    for (const [method, path] of [
      ['POST', '/escrow/single-release/v2/deploy'],
      ['POST', '/escrow/single-release/v2/fund-escrow'],
      ['POST', '/stellar/send-transaction'],
      ['POST', '/indexer/update-from-txHash'],
      ['GET', '/helper/get-escrow-by-contract-ids?contractIds[]=C'],
    ] as const) {
      const none = await call(w.tw, method, path, method === 'POST' ? {} : undefined, null);
      // docs v2-en/api-rest/errors/auth-and-api-keys/auth-invalid-credential.
      expect(none).toEqual({
        status: 401,
        body: {
          type: 'https://docs.trustlesswork.com/trustless-work/v2-en/api-rest/errors/auth-invalid-credential',
          title: 'Unauthorized',
          status: 401,
          code: 'AUTH_INVALID_CREDENTIAL',
          detail: 'The API key is missing or invalid',
          instance: path.split('?')[0],
          traceId: expect.any(String),
        },
      });
      const wrong = await call(w.tw, method, path, method === 'POST' ? {} : undefined, `${API_KEY}x`);
      expect([wrong.status, wrong.body.code]).toEqual([401, 'AUTH_INVALID_CREDENTIAL']);
    }
  });

  test('every call after the release is refused: the escrow is final', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    await deliverAndApprove(p, contractId);
    const stale = await call(w.tw, 'POST', '/escrow/single-release/v2/dispute', { contractId, signer: p.seller.publicKey() });
    expect(stale.status).toBe(200);
    expect(
      (await act(w, '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }, p.buyer)).status,
    ).toBe(200);

    const after: Array<[string, Record<string, unknown>]> = [
      ['/escrow/single-release/v2/fund-escrow', { contractId, signer: p.buyer.publicKey(), amount: 1 }],
      [
        '/escrow/single-release/v2/change-milestone-status',
        { contractId, milestoneIndex: '0', newStatus: 'redo', serviceProvider: p.seller.publicKey() },
      ],
      ['/escrow/single-release/v2/approve-milestone', { contractId, milestoneIndex: '0', approver: p.buyer.publicKey() }],
      ['/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }],
      ['/escrow/single-release/v2/dispute', { contractId, signer: p.seller.publicKey() }],
      [
        '/escrow/single-release/v2/resolve-dispute',
        { contractId, disputeResolver: p.platform.publicKey(), distributions: [{ address: p.buyer.publicKey(), amount: 1 }] },
      ],
    ];
    for (const [path, body] of after) {
      const res = await call(w.tw, 'POST', path, body);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 409, code: 'ESCROW_ALREADY_RELEASED' });
    }
    // A dispute built before the release is trapped by the contract.
    const sent = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: sign(w.t, stale.body.unsignedXdr, p.seller) });
    expect(sent.body).toMatchObject({
      code: 'STELLAR_TX_OPERATION_FAILED',
      extensions: { resultCodes: { operations: ['function_trapped'] } },
    });
    expect((await escrowOf(contractId)).flags).toEqual({ disputed: false, released: true, resolved: false });
  });

  test('bodies with missing or invalid fields (amounts as strings among them): 400 VALIDATION_ERROR with the field named; bad envelopes 422 STELLAR_TX_UNPARSEABLE', async () => {
    const p = await parties();
    const cases: Array<[string, unknown, string]> = [
      ['/escrow/single-release/v2/deploy', { ...deployBody(p), signer: undefined }, 'signer is required'],
      ['/escrow/single-release/v2/deploy', { ...deployBody(p), amount: -5 }, 'amount must be a positive amount with at most 7 decimals'],
      [
        '/escrow/single-release/v2/deploy',
        { ...deployBody(p), amount: 1.12345678 },
        'amount must be a positive amount with at most 7 decimals',
      ],
      // SDK types.payload.ts: amount and platformFee are numbers.
      ['/escrow/single-release/v2/deploy', { ...deployBody(p), amount: '100' }, 'amount must be a number'],
      ['/escrow/single-release/v2/deploy', { ...deployBody(p), platformFee: '5' }, 'platformFee must be a number'],
      ['/escrow/single-release/v2/deploy', { ...deployBody(p), milestones: [] }, 'milestones must be a non-empty array'],
      [
        '/escrow/single-release/v2/deploy',
        { ...deployBody(p), roles: { ...deployBody(p).roles, receiver: 'nope' } },
        'roles.receiver must be a valid Stellar address',
      ],
      [
        '/escrow/single-release/v2/deploy',
        { ...deployBody(p), trustline: { address: Keypair.random().publicKey() } },
        expect.stringContaining('trustline.address'),
      ],
      ['/escrow/single-release/v2/fund-escrow', { signer: p.buyer.publicKey(), amount: 1 }, 'contractId is required'],
      [
        '/escrow/single-release/v2/fund-escrow',
        { contractId: new Address(Keypair.random().publicKey()).toString(), signer: p.buyer.publicKey(), amount: 1 },
        'contractId must be a valid contract address',
      ],
      [
        '/escrow/single-release/v2/fund-escrow',
        { contractId: w.tw.factoryId, signer: p.buyer.publicKey(), amount: '1' },
        'amount must be a number',
      ],
      ['/stellar/send-transaction', {}, 'signedXdr is required'],
      ['/indexer/update-from-txHash', { txHash: 'nope' }, 'txHash must be a transaction hash (64 hex digits)'],
    ];
    for (const [path, body, detail] of cases) {
      const res = await call(w.tw, 'POST', path, body);
      expect({ path, status: res.status, code: res.body.code, detail: res.body.detail }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_ERROR',
        detail,
      });
    }
    // docs v2-en/api-rest/errors/stellar/stellar-tx-unparseable (422).
    const unparseable = await call(w.tw, 'POST', '/stellar/send-transaction', { signedXdr: 'AAAA' });
    expect([unparseable.status, unparseable.body.code]).toEqual([422, 'STELLAR_TX_UNPARSEABLE']);
  });
});

test('xdr sanity: the resolve-dispute call carries a map of addresses to i128 amounts', async () => {
  const p = await parties();
  const contractId = await deployAndFund(p);
  await act(w, '/escrow/single-release/v2/dispute', { contractId, signer: p.seller.publicKey() }, p.seller);
  const built = await call(w.tw, 'POST', '/escrow/single-release/v2/resolve-dispute', {
    contractId,
    disputeResolver: p.platform.publicKey(),
    distributions: [{ address: p.buyer.publicKey(), amount: 100 }],
  });
  const tx = TransactionBuilder.fromXDR(built.body.unsignedXdr, w.t.sandbox.networkPassphrase) as any;
  const args: xdr.ScVal[] = tx.operations[0].func.invokeContract().args();
  expect(args[2]!.switch().name).toBe('scvMap');
  expect(tx.fee).toBe('100100');
});

test('get-escrow-by-contract-ids: bracketed, repeated and comma-separated ids; unknown ids are left out, only unknown ones 404 ESCROW_NOT_FOUND; none at all is a 400', async () => {
  const p = await parties();
  const first = await deployAndFund(p);
  const second = await deployAndFund({ ...p, buyer: await party(w.t, '100') });
  const unknown = StrKey.encodeContract(Buffer.alloc(32, 7));
  for (const query of [
    `contractIds[]=${first}&contractIds[]=${unknown}&contractIds[]=${second}`,
    `contractIds=${first}&contractIds=${second}`,
    `contractIds=${first},${second}`,
  ]) {
    const res = await call(w.tw, 'GET', `/helper/get-escrow-by-contract-ids?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.map((e: { contractId: string; balance: number }) => [e.contractId, e.balance])).toEqual([
      [first, 100],
      [second, 100],
    ]);
  }
  const onlyUnknown = await call(w.tw, 'GET', `/helper/get-escrow-by-contract-ids?contractIds[]=${unknown}`);
  expect([onlyUnknown.status, onlyUnknown.body.code]).toEqual([404, 'ESCROW_NOT_FOUND']);
  const none = await call(w.tw, 'GET', '/helper/get-escrow-by-contract-ids');
  expect([none.status, none.body.code, none.body.detail]).toEqual([400, 'VALIDATION_ERROR', 'contractIds is required']);
});
