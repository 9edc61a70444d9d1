import { Address, Keypair, Operation, SorobanDataBuilder, StrKey, TransactionBuilder, type xdr } from '@stellar/stellar-sdk';
import { distributionFees } from '../../../src/escrow/fees';
import { submitExpectingFailure } from '../stellar/helpers';
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

    // Deploy: an unsigned createContract transaction from the signer, then the contract id and the escrow.
    const built = await call(w.tw, 'POST', '/deployer/single-release', deployBody(p));
    expect(built.status).toBe(200);
    expect(built.body.status).toBe('SUCCESS');
    const tx = TransactionBuilder.fromXDR(built.body.unsignedTransaction, w.t.sandbox.networkPassphrase);
    expect('source' in tx && tx.source).toBe(p.platform.publicKey());
    expect(tx.operations[0]!.type).toBe('invokeHostFunction');
    const deployed = await call(w.tw, 'POST', '/helper/send-transaction', {
      signedXdr: sign(w.t, built.body.unsignedTransaction, p.platform),
    });
    expect(deployed.status).toBe(200);
    expect(deployed.body).toMatchObject({
      status: 'SUCCESS',
      message: 'The transaction has been successfully sent to the Stellar network.',
      contractId: expect.stringMatching(/^C[A-Z2-7]{55}$/),
      escrow: { amount: 100, balance: 0, platformFee: 5, flags: { disputed: false, released: false, resolved: false } },
    });
    const contractId: string = deployed.body.contractId;

    // Fund: the buyer's USDC moves into the contract.
    const fundBuilt = await call(w.tw, 'POST', '/escrow/single-release/fund-escrow', {
      contractId,
      signer: p.buyer.publicKey(),
      amount: 100,
    });
    expect(fundBuilt.status).toBe(200);
    const fundTx = TransactionBuilder.fromXDR(fundBuilt.body.unsignedTransaction, w.t.sandbox.networkPassphrase) as any;
    const invoke = fundTx.operations[0].func.invokeContract();
    expect(Address.fromScAddress(invoke.contractAddress()).toString()).toBe(contractId);
    expect(invoke.functionName().toString()).toBe('fund_escrow');
    const funded = await call(w.tw, 'POST', '/helper/send-transaction', {
      signedXdr: sign(w.t, fundBuilt.body.unsignedTransaction, p.buyer),
    });
    expect(funded.body).toMatchObject({ status: 'SUCCESS' });
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
    const released = await act(w, '/escrow/single-release/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }, p.buyer);
    expect(released.status).toBe(200);
    expect(await usdcOf(w.t, p.seller.publicKey())).toBe('94.7000000');
    expect(await usdcOf(w.t, p.platform.publicKey())).toBe('5.0000000');
    expect((await usdcStroops(w.t, w.tw.feeAccount)) - feeBefore).toBe(3_000_000n);
    expect(await escrowOf(contractId)).toMatchObject({ balance: 0, flags: { disputed: false, released: true, resolved: false } });
  });

  test('dispute by the approver, resolved 60/40 by the dispute resolver: each share is paid less 0.3% and the platform fee', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const disputed = await act(w, '/escrow/single-release/dispute-escrow', { contractId, signer: p.buyer.publicKey() }, p.buyer);
    expect(disputed.status).toBe(200);
    expect((await escrowOf(contractId)).flags).toEqual({ disputed: true, released: false, resolved: false });

    const feeBefore = await usdcStroops(w.t, w.tw.feeAccount);
    const resolved = await act(
      w,
      '/escrow/single-release/resolve-dispute',
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
    const deployed = await act(w, '/deployer/single-release', deployBody(p, { amount: 1.0000001, platformFee: 2.5 }), p.platform);
    expect(deployed.status).toBe(200);
    const contractId: string = deployed.body.contractId;
    const funded = await act(
      w,
      '/escrow/single-release/fund-escrow',
      { contractId, signer: p.buyer.publicKey(), amount: 1.0000001 },
      p.buyer,
    );
    expect(funded.status).toBe(200);
    expect((await act(w, '/escrow/single-release/dispute-escrow', { contractId, signer: p.buyer.publicKey() }, p.buyer)).status).toBe(200);
    const before = {
      buyer: await usdcStroops(w.t, p.buyer.publicKey()),
      seller: await usdcStroops(w.t, p.seller.publicKey()),
      platform: await usdcStroops(w.t, p.platform.publicKey()),
      fee: await usdcStroops(w.t, w.tw.feeAccount),
    };
    const resolved = await act(
      w,
      '/escrow/single-release/resolve-dispute',
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
  test('approve signed by the service provider instead of the approver: 400 from send-transaction, nothing approved', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const built = await call(w.tw, 'POST', '/escrow/single-release/approve-milestone', {
      contractId,
      milestoneIndex: '0',
      approver: p.buyer.publicKey(),
    });
    const sent = await call(w.tw, 'POST', '/helper/send-transaction', { signedXdr: sign(w.t, built.body.unsignedTransaction, p.seller) });
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `The transaction must be signed by the approver (${p.buyer.publicKey()})`,
    });
    // Asking to build it in the service provider's name is refused too.
    const asSeller = await call(w.tw, 'POST', '/escrow/single-release/approve-milestone', {
      contractId,
      milestoneIndex: '0',
      approver: p.seller.publicKey(),
    });
    expect(asSeller.status).toBe(400);
    expect(asSeller.body.message).toBe('Only the approver can approve milestones');
    expect((await escrowOf(contractId)).milestones[0].approved).toBe(false);
  });

  test('the contract itself refuses a release by someone else, even submitted straight to Horizon: function_trapped', async () => {
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
    const viaApi = await call(w.tw, 'POST', '/helper/send-transaction', { signedXdr: tx.toXDR() });
    expect(viaApi.status).toBe(400);
    expect(viaApi.body.message).toBe(`The transaction must be signed by the releaseSigner (${p.buyer.publicKey()})`);
    const direct = await submitExpectingFailure(w.t, tx);
    expect(direct.data.extras!.result_codes).toEqual({ transaction: 'tx_failed', operations: ['function_trapped'] });
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100, flags: { released: false } });
  });

  test('release before the milestone is approved: 400, the funds stay in the escrow', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const res = await call(w.tw, 'POST', '/escrow/single-release/release-funds', { contractId, releaseSigner: p.buyer.publicKey() });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('The escrow milestones must be approved before the funds are released');
    expect((await escrowOf(contractId)).balance).toBe(100);
  });

  test('release while disputed: 400 when building; a release built before the dispute fails on chain with function_trapped', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    await deliverAndApprove(p, contractId);
    const stale = await call(w.tw, 'POST', '/escrow/single-release/release-funds', { contractId, releaseSigner: p.buyer.publicKey() });
    expect(stale.status).toBe(200);
    expect((await act(w, '/escrow/single-release/dispute-escrow', { contractId, signer: p.seller.publicKey() }, p.seller)).status).toBe(
      200,
    );

    const now = await call(w.tw, 'POST', '/escrow/single-release/release-funds', { contractId, releaseSigner: p.buyer.publicKey() });
    expect(now.status).toBe(400);
    expect(now.body.message).toBe('The escrow is in dispute');

    const sent = await call(w.tw, 'POST', '/helper/send-transaction', { signedXdr: sign(w.t, stale.body.unsignedTransaction, p.buyer) });
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({
      statusCode: 400,
      status: 'FAILED',
      message: 'The transaction failed on the Stellar network',
      resultCodes: { transaction: 'tx_failed', operations: ['function_trapped'] },
    });
    expect(await usdcOf(w.t, p.seller.publicKey())).toBe('0.0000000');
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100, flags: { disputed: true, released: false } });
  });

  test('a dispute opened by the dispute resolver: 400 when building and when sending', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    const built = await call(w.tw, 'POST', '/escrow/single-release/dispute-escrow', { contractId, signer: p.platform.publicKey() });
    expect(built.status).toBe(400);
    expect(built.body.message).toBe('The dispute resolver cannot open a dispute');

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
    const sent = await call(w.tw, 'POST', '/helper/send-transaction', { signedXdr: tx.toXDR() });
    expect(sent.status).toBe(400);
    expect(sent.body.message).toBe('The dispute resolver cannot open a dispute');
    expect((await submitExpectingFailure(w.t, tx)).data.extras!.result_codes!.operations).toEqual(['function_trapped']);
    expect((await escrowOf(contractId)).flags.disputed).toBe(false);
  });

  test('a resolution whose amounts do not add up to the balance: 400, nothing paid', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    expect((await act(w, '/escrow/single-release/dispute-escrow', { contractId, signer: p.buyer.publicKey() }, p.buyer)).status).toBe(200);
    for (const amounts of [
      [60, 39.9999999],
      [60, 40.0000001],
    ]) {
      const res = await call(w.tw, 'POST', '/escrow/single-release/resolve-dispute', {
        contractId,
        disputeResolver: p.platform.publicKey(),
        distributions: [
          { address: p.buyer.publicKey(), amount: amounts[0] },
          { address: p.seller.publicKey(), amount: amounts[1] },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('The sum of the distributions must equal the escrow balance');
    }
    const byBuyer = await call(w.tw, 'POST', '/escrow/single-release/resolve-dispute', {
      contractId,
      disputeResolver: p.buyer.publicKey(),
      distributions: [{ address: p.buyer.publicKey(), amount: 100 }],
    });
    expect(byBuyer.status).toBe(400);
    expect(byBuyer.body.message).toBe('Only the dispute resolver can resolve the dispute');
    expect(await escrowOf(contractId)).toMatchObject({ balance: 100, flags: { disputed: true, resolved: false } });
  });

  test('no x-api-key, or a wrong one: 401 on every endpoint', async () => {
    for (const [method, path] of [
      ['POST', '/deployer/single-release'],
      ['POST', '/escrow/single-release/fund-escrow'],
      ['POST', '/helper/send-transaction'],
      ['GET', '/helper/get-escrow-by-contract-ids?contractIds[]=C'],
    ] as const) {
      const none = await call(w.tw, method, path, method === 'POST' ? {} : undefined, null);
      expect(none).toEqual({ status: 401, body: { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' } });
      const wrong = await call(w.tw, method, path, method === 'POST' ? {} : undefined, `${API_KEY}x`);
      expect(wrong.status).toBe(401);
    }
  });

  test('every call after the release is refused: the escrow is final', async () => {
    const p = await parties();
    const contractId = await deployAndFund(p);
    await deliverAndApprove(p, contractId);
    const stale = await call(w.tw, 'POST', '/escrow/single-release/dispute-escrow', { contractId, signer: p.seller.publicKey() });
    expect(stale.status).toBe(200);
    expect((await act(w, '/escrow/single-release/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }, p.buyer)).status).toBe(
      200,
    );

    const after: Array<[string, Record<string, unknown>]> = [
      ['/escrow/single-release/fund-escrow', { contractId, signer: p.buyer.publicKey(), amount: 1 }],
      [
        '/escrow/single-release/change-milestone-status',
        { contractId, milestoneIndex: '0', newStatus: 'redo', serviceProvider: p.seller.publicKey() },
      ],
      ['/escrow/single-release/approve-milestone', { contractId, milestoneIndex: '0', approver: p.buyer.publicKey() }],
      ['/escrow/single-release/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }],
      ['/escrow/single-release/dispute-escrow', { contractId, signer: p.seller.publicKey() }],
      [
        '/escrow/single-release/resolve-dispute',
        { contractId, disputeResolver: p.platform.publicKey(), distributions: [{ address: p.buyer.publicKey(), amount: 1 }] },
      ],
    ];
    for (const [path, body] of after) {
      const res = await call(w.tw, 'POST', path, body);
      expect({ path, status: res.status, message: res.body.message }).toEqual({
        path,
        status: 400,
        message: 'The escrow has already been released',
      });
    }
    // A dispute built before the release is trapped by the contract.
    const sent = await call(w.tw, 'POST', '/helper/send-transaction', { signedXdr: sign(w.t, stale.body.unsignedTransaction, p.seller) });
    expect(sent.body).toMatchObject({ status: 'FAILED', resultCodes: { operations: ['function_trapped'] } });
    expect((await escrowOf(contractId)).flags).toEqual({ disputed: false, released: true, resolved: false });
  });

  test('bodies with missing or invalid fields: 400 with the field named', async () => {
    const p = await parties();
    const cases: Array<[string, unknown, string]> = [
      ['/deployer/single-release', { ...deployBody(p), signer: undefined }, 'signer is required'],
      ['/deployer/single-release', { ...deployBody(p), amount: -5 }, 'amount must be a positive amount with at most 7 decimals'],
      ['/deployer/single-release', { ...deployBody(p), amount: 1.12345678 }, 'amount must be a positive amount with at most 7 decimals'],
      ['/deployer/single-release', { ...deployBody(p), milestones: [] }, 'milestones must be a non-empty array'],
      [
        '/deployer/single-release',
        { ...deployBody(p), roles: { ...deployBody(p).roles, receiver: 'nope' } },
        'roles.receiver must be a valid Stellar address',
      ],
      [
        '/deployer/single-release',
        { ...deployBody(p), trustline: { address: Keypair.random().publicKey(), decimals: 10000000 } },
        expect.stringContaining('trustline.address'),
      ],
      ['/escrow/single-release/fund-escrow', { signer: p.buyer.publicKey(), amount: 1 }, 'contractId is required'],
      [
        '/escrow/single-release/fund-escrow',
        { contractId: new Address(Keypair.random().publicKey()).toString(), signer: p.buyer.publicKey(), amount: 1 },
        'contractId must be a valid contract address',
      ],
      ['/helper/send-transaction', {}, 'signedXdr is required'],
      ['/helper/send-transaction', { signedXdr: 'AAAA' }, 'signedXdr is not a valid transaction envelope'],
    ];
    for (const [path, body, message] of cases) {
      const res = await call(w.tw, 'POST', path, body);
      expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 400, message });
    }
  });
});

test('xdr sanity: the resolve-dispute call carries a map of addresses to i128 amounts', async () => {
  const p = await parties();
  const contractId = await deployAndFund(p);
  await act(w, '/escrow/single-release/dispute-escrow', { contractId, signer: p.seller.publicKey() }, p.seller);
  const built = await call(w.tw, 'POST', '/escrow/single-release/resolve-dispute', {
    contractId,
    disputeResolver: p.platform.publicKey(),
    distributions: [{ address: p.buyer.publicKey(), amount: '100' }],
  });
  const tx = TransactionBuilder.fromXDR(built.body.unsignedTransaction, w.t.sandbox.networkPassphrase) as any;
  const args: xdr.ScVal[] = tx.operations[0].func.invokeContract().args();
  expect(args[2]!.switch().name).toBe('scvMap');
  expect(tx.fee).toBe('100100');
});

test('get-escrow-by-contract-ids: bracketed, repeated and comma-separated ids; unknown ids are left out; none at all is a 400', async () => {
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
  const none = await call(w.tw, 'GET', '/helper/get-escrow-by-contract-ids');
  expect(none).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'contractIds is required' } });
});
