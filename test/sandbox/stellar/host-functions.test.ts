import crypto from 'node:crypto';
import {
  Address,
  type Asset,
  Operation,
  SorobanDataBuilder,
  StrKey,
  TransactionBuilder,
  nativeToScVal,
  scValToBigInt,
  xdr,
  type Keypair,
} from '@stellar/stellar-sdk';
import type { HostFunctionHandler } from '../../../sandboxes/stellar';
import {
  assetBalance,
  funded,
  getJson,
  startTestSandbox,
  submitExpectingFailure,
  trustUsdc,
  usdcFaucet,
  type TestSandbox,
} from './helpers';

let t: TestSandbox;
const contract = StrKey.encodeContract(crypto.randomBytes(32));

beforeAll(async () => {
  t = await startTestSandbox();
});

afterAll(async () => {
  await t?.stop();
});

/** A toy escrow contract: `deposit(amount)` moves USDC from the caller in, `release(amount, to)` pays it out. */
function escrowHandler(usdc: Asset): HostFunctionHandler {
  const asset = { type: 'credit_alphanum4' as const, code: usdc.getCode(), issuer: usdc.getIssuer() };
  return (inv) => {
    if (inv.hostFunction.switch().name !== 'hostFunctionTypeInvokeContract') return undefined;
    const call = inv.hostFunction.invokeContract();
    if (Address.fromScAddress(call.contractAddress()).toString() !== contract) return undefined;
    const fn = call.functionName().toString();
    const amount = scValToBigInt(call.args()[0]!);
    if (fn === 'deposit') {
      if (inv.ledger.transfer(inv.sourceAccount, contract, asset, amount)) return { ok: false, failure: 'trapped' };
      const held = BigInt(inv.ledger.getData(contract, 'held') ?? '0') + amount;
      inv.ledger.putData(contract, 'held', held.toString());
      return { ok: true, returnValue: nativeToScVal(held, { type: 'i128' }) };
    }
    if (fn === 'release') {
      const to = Address.fromScVal(call.args()[1]!).toString();
      if (inv.ledger.transfer(contract, to, asset, amount)) return { ok: false, failure: 'trapped' };
      inv.ledger.putData(contract, 'held', (BigInt(inv.ledger.getData(contract, 'held') ?? '0') - amount).toString());
      return { ok: true };
    }
    return { ok: false, failure: 'trapped' };
  };
}

async function invoke(kp: Keypair, fn: string, args: xdr.ScVal[], extra: xdr.Operation[] = []) {
  const acc = await t.server.loadAccount(kp.publicKey());
  const builder = new TransactionBuilder(acc, { fee: '100', networkPassphrase: t.sandbox.networkPassphrase })
    .addOperation(Operation.invokeContractFunction({ contract, function: fn, args }))
    .setSorobanData(new SorobanDataBuilder().setResourceFee(5000).build())
    .setTimeout(60);
  for (const op of extra) builder.addOperation(op);
  const tx = builder.build();
  tx.sign(kp);
  return tx;
}

const i128 = (v: bigint) => nativeToScVal(v, { type: 'i128' });
const USDC = 10_000_000n;

describe('invokeHostFunction through registered handlers', () => {
  test('without a handler the call traps: function_trapped, sequence and fee consumed', async () => {
    const user = await funded(t);
    const before = await t.server.loadAccount(user.publicKey());
    const tx = await invoke(user, 'deposit', [i128(1n)]);
    const failure = await submitExpectingFailure(t, tx);
    expect(failure.data.extras!.result_codes).toEqual({ transaction: 'tx_failed', operations: ['function_trapped'] });
    const after = await t.server.loadAccount(user.publicKey());
    expect(BigInt(after.sequence)).toBe(BigInt(before.sequence) + 1n);
    // Declared resource fee (5000) plus the 100-stroop inclusion fee.
    expect(after.balances[0]!.balance).toBe('9999.9994900');
  });

  test('a handler moves USDC into and out of a contract, atomically and visibly in /payments', async () => {
    const remove = t.sandbox.registerHostFunctionHandler(escrowHandler(t.usdc));
    try {
      const user = await funded(t);
      const merchant = await funded(t);
      await trustUsdc(t, user);
      await trustUsdc(t, merchant);
      await usdcFaucet(t, user.publicKey(), '100');

      const deposit = await invoke(user, 'deposit', [i128(30n * USDC)]);
      const res = await t.server.submitTransaction(deposit);
      expect(res.successful).toBe(true);
      expect(await assetBalance(t, user.publicKey(), t.usdc)).toBe('70.0000000');
      const meta = xdr.TransactionMeta.fromXDR(res.result_meta_xdr, 'base64');
      expect(scValToBigInt(meta.v3().sorobanMeta()!.returnValue())).toBe(30n * USDC);
      const result = xdr.TransactionResult.fromXDR(res.result_xdr, 'base64');
      expect(result.result().results()[0]!.tr().invokeHostFunctionResult().switch().name).toBe('invokeHostFunctionSuccess');

      const payments = await getJson(`${t.sandbox.url}/accounts/${user.publicKey()}/payments?order=desc&limit=1`);
      const record = payments.body._embedded.records[0];
      expect(record).toMatchObject({
        type: 'invoke_host_function',
        type_i: 24,
        function: 'HostFunctionTypeHostFunctionTypeInvokeContract',
        address: contract,
        transaction_hash: res.hash,
        asset_balance_changes: [
          {
            asset_type: 'credit_alphanum4',
            asset_code: 'USDC',
            asset_issuer: t.usdc.getIssuer(),
            type: 'transfer',
            from: user.publicKey(),
            to: contract,
            amount: '30.0000000',
          },
        ],
      });
      expect(record.parameters[1]).toEqual({ value: xdr.ScVal.scvSymbol('deposit').toXDR('base64'), type: 'Sym' });

      // Asking for more than the contract holds traps and moves nothing.
      const tooMuch = await invoke(user, 'release', [i128(31n * USDC), new Address(merchant.publicKey()).toScVal()]);
      expect((await submitExpectingFailure(t, tooMuch)).data.extras!.result_codes!.operations).toEqual(['function_trapped']);
      expect(await assetBalance(t, merchant.publicKey(), t.usdc)).toBe('0.0000000');

      const release = await invoke(user, 'release', [i128(10n * USDC), new Address(merchant.publicKey()).toScVal()]);
      expect((await t.server.submitTransaction(release)).successful).toBe(true);
      expect(await assetBalance(t, merchant.publicKey(), t.usdc)).toBe('10.0000000');
      const merchantPayments = await t.server.payments().forAccount(merchant.publicKey()).order('desc').limit(1).call();
      expect(merchantPayments.records[0]!.type).toBe('invoke_host_function');
    } finally {
      remove();
    }
    const user = await funded(t);
    expect((await submitExpectingFailure(t, await invoke(user, 'deposit', [i128(1n)]))).data.extras!.result_codes!.operations).toEqual([
      'function_trapped',
    ]);
  });

  test('a Soroban operation must be alone in its transaction: tx_malformed', async () => {
    const user = await funded(t);
    const tx = await invoke(user, 'deposit', [i128(1n)], [Operation.bumpSequence({ bumpTo: '0' })]);
    expect((await submitExpectingFailure(t, tx)).data.extras!.result_codes).toEqual({ transaction: 'tx_malformed' });
  });
});
