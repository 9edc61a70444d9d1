import { Asset, Keypair, Operation, xdr } from '@stellar/stellar-sdk';
import {
  assetBalance,
  buildTx,
  funded,
  startTestSandbox,
  submitExpectingFailure,
  trustUsdc,
  usdcFaucet,
  type TestSandbox,
} from './helpers';

/**
 * Path payments in the sandbox, pinned to stellar-core's src/transactions/PathPaymentStrictReceiveOpFrame.cpp,
 * PathPaymentStrictSendOpFrame.cpp and PathPaymentOpFrameBase.cpp (order of checks, equal hops skipped, TOO_FEW_OFFERS
 * when a conversion finds no offer), Horizon's strings for their codes (services/horizon/internal/codes in stellar/go)
 * and Horizon's record fields (services/horizon/internal/ingest/processors/operations_processor.go: `amount`,
 * `source_amount`, `source_max` / `destination_min`, `source_asset_*`, `path`).
 */
let t: TestSandbox;
let sender: Keypair;
let receiver: Keypair;

beforeAll(async () => {
  t = await startTestSandbox();
  sender = await funded(t);
  receiver = await funded(t);
  await trustUsdc(t, sender);
  await trustUsdc(t, receiver);
  expect((await usdcFaucet(t, sender.publicKey(), '100')).status).toBe(200);
});
afterAll(() => t.stop());

const strictSend = (destination: string, sendAmount: string, destMin: string, opts: { sendAsset?: Asset; path?: Asset[] } = {}) =>
  Operation.pathPaymentStrictSend({
    sendAsset: opts.sendAsset ?? t.usdc,
    sendAmount,
    destination,
    destAsset: t.usdc,
    destMin,
    path: opts.path ?? [],
  });

const strictReceive = (destination: string, destAmount: string, sendMax: string, opts: { sendAsset?: Asset; path?: Asset[] } = {}) =>
  Operation.pathPaymentStrictReceive({
    sendAsset: opts.sendAsset ?? t.usdc,
    sendMax,
    destination,
    destAsset: t.usdc,
    destAmount,
    path: opts.path ?? [],
  });

async function lastPaymentTo(address: string) {
  const page = await t.server.payments().forAccount(address).order('desc').limit(1).call();
  return page.records[0] as unknown as Record<string, unknown>;
}

test('a strict-send path payment of USDC through a USDC path delivers like a payment and is listed in /payments', async () => {
  const before = await assetBalance(t, receiver.publicKey(), t.usdc);
  const res = await t.server.submitTransaction(
    await buildTx(t, sender, [strictSend(receiver.publicKey(), '12.5000001', '12.5', { path: [t.usdc] })], [sender]),
  );
  expect(before).toBe('0.0000000');
  expect(await assetBalance(t, receiver.publicKey(), t.usdc)).toBe('12.5000001');
  // The result XDR carries the success arm with the amount delivered (SimplePaymentResult `last`).
  const result = xdr.TransactionResult.fromXDR(res.result_xdr, 'base64');
  const op = result.result().results()[0].tr().pathPaymentStrictSendResult();
  expect(op.switch().name).toBe('pathPaymentStrictSendSuccess');
  expect(op.success().last().amount().toString()).toBe('125000001');
  expect(await lastPaymentTo(receiver.publicKey())).toMatchObject({
    type: 'path_payment_strict_send',
    type_i: 13,
    from: sender.publicKey(),
    to: receiver.publicKey(),
    amount: '12.5000001',
    source_amount: '12.5000001',
    destination_min: '12.5000000',
    asset_type: 'credit_alphanum4',
    asset_code: 'USDC',
    asset_issuer: t.usdc.getIssuer(),
    source_asset_type: 'credit_alphanum4',
    source_asset_code: 'USDC',
    path: [{ asset_type: 'credit_alphanum4', asset_code: 'USDC', asset_issuer: t.usdc.getIssuer() }],
    transaction_successful: true,
  });
});

test('a strict-receive path payment credits destAmount and reports the amount sent as source_amount', async () => {
  await t.server.submitTransaction(await buildTx(t, sender, [strictReceive(receiver.publicKey(), '2', '3')], [sender]));
  expect(await assetBalance(t, receiver.publicKey(), t.usdc)).toBe('14.5000001');
  expect(await lastPaymentTo(receiver.publicKey())).toMatchObject({
    type: 'path_payment_strict_receive',
    type_i: 2,
    amount: '2.0000000',
    source_amount: '2.0000000',
    source_max: '3.0000000',
    path: [],
  });
});

test('a conversion between assets finds no offer in the sandbox: op_too_few_offers, and nothing moves', async () => {
  const fromXlm = await buildTx(t, sender, [strictSend(receiver.publicKey(), '10', '1', { sendAsset: Asset.native() })], [sender]);
  const refused = await submitExpectingFailure(t, fromXlm);
  expect(refused.status).toBe(400);
  expect(refused.data.extras?.result_codes).toEqual({ transaction: 'tx_failed', operations: ['op_too_few_offers'] });
  const viaXlm = await buildTx(t, sender, [strictReceive(receiver.publicKey(), '1', '5', { path: [Asset.native()] })], [sender]);
  expect((await submitExpectingFailure(t, viaXlm)).data.extras?.result_codes?.operations).toEqual(['op_too_few_offers']);
  expect(await assetBalance(t, receiver.publicKey(), t.usdc)).toBe('14.5000001');
});

test('limits and balances answer with the path payment codes Horizon names', async () => {
  const underMin = await buildTx(t, sender, [strictSend(receiver.publicKey(), '1', '1.0000001')], [sender]);
  expect((await submitExpectingFailure(t, underMin)).data.extras?.result_codes?.operations).toEqual(['op_under_dest_min']);
  const overMax = await buildTx(t, sender, [strictReceive(receiver.publicKey(), '1.0000001', '1')], [sender]);
  expect((await submitExpectingFailure(t, overMax)).data.extras?.result_codes?.operations).toEqual(['op_over_source_max']);
  const tooMuch = await buildTx(t, sender, [strictSend(receiver.publicKey(), '1000', '1')], [sender]);
  expect((await submitExpectingFailure(t, tooMuch)).data.extras?.result_codes?.operations).toEqual(['op_underfunded']);
  const stranger = await funded(t);
  const noTrust = await buildTx(t, sender, [strictReceive(stranger.publicKey(), '1', '1')], [sender]);
  expect((await submitExpectingFailure(t, noTrust)).data.extras?.result_codes?.operations).toEqual(['op_no_trust']);
  const nobody = await buildTx(t, sender, [strictSend(Keypair.random().publicKey(), '1', '1')], [sender]);
  expect((await submitExpectingFailure(t, nobody)).data.extras?.result_codes?.operations).toEqual(['op_no_destination']);
  expect(await assetBalance(t, sender.publicKey(), t.usdc)).toBe('85.4999999');
});

test('a failed path payment is listed with include_failed, its amount 0 as Horizon records a failed strict send', async () => {
  const underMin = await buildTx(t, sender, [strictSend(receiver.publicKey(), '3', '4')], [sender]);
  await submitExpectingFailure(t, underMin);
  const page = await t.server.payments().forAccount(receiver.publicKey()).includeFailed(true).order('desc').limit(1).call();
  expect(page.records[0]).toMatchObject({
    type: 'path_payment_strict_send',
    transaction_successful: false,
    amount: '0.0000000',
    source_amount: '3.0000000',
  });
});
