import fs from 'node:fs';
import path from 'node:path';
import { Asset, Keypair, Operation } from '@stellar/stellar-sdk';
import {
  assetBalance,
  buildTx,
  funded,
  nativeBalance,
  startTestSandbox,
  submitExpectingFailure,
  tempDir,
  trustUsdc,
  usdcFaucet,
} from './helpers';

describe('state survives a restart', () => {
  test('balances, sequences, trustlines, history and the USDC issuer come back from the data file', async () => {
    const dir = tempDir();
    const first = await startTestSandbox({ dir });
    const a = await funded(first);
    const b = await funded(first);
    await trustUsdc(first, b);
    await usdcFaucet(first, b.publicKey(), '12.5');
    const pay = await buildTx(first, a, [Operation.payment({ destination: b.publicKey(), asset: Asset.native(), amount: '3' })], [a]);
    const paid = await first.server.submitTransaction(pay);
    const seqA = (await first.server.loadAccount(a.publicKey())).sequence;
    const issuer = first.sandbox.usdcAsset.issuer;
    const latest = first.sandbox.latestLedger();
    const passphrase = first.sandbox.networkPassphrase;
    await first.stop();

    const saved = JSON.parse(fs.readFileSync(first.dataFile, 'utf8'));
    expect(saved.format).toBe('offerhub-stellar-sandbox/1');
    // Written atomically: no temporary files left beside it.
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await startTestSandbox({ dir });
    try {
      expect(second.sandbox.networkPassphrase).toBe(passphrase);
      expect(second.sandbox.usdcAsset.issuer).toBe(issuer);
      expect(second.sandbox.latestLedger()).toBeGreaterThanOrEqual(latest);
      expect(await nativeBalance(second, a.publicKey())).toBe('9996.9999900');
      expect(await nativeBalance(second, b.publicKey())).toBe('10002.9999900');
      expect(await assetBalance(second, b.publicKey(), second.usdc)).toBe('12.5000000');
      expect((await second.server.loadAccount(a.publicKey())).sequence).toBe(seqA);

      // History is still served, and the old envelope is still a known transaction, not applied again.
      const tx = await second.server.transactions().transaction(paid.hash).call();
      expect(tx.ledger_attr).toBe(paid.ledger);
      const again = await second.server.submitTransaction(pay);
      expect(again.ledger).toBe(paid.ledger);
      expect(await nativeBalance(second, b.publicKey())).toBe('10002.9999900');
      const payments = await second.server.payments().forAccount(b.publicKey()).limit(200).call();
      expect(payments.records.map((r) => r.type)).toEqual(['create_account', 'payment', 'payment']);

      // Sequence numbers continue where they were: a stale one is refused, the next one works.
      const stale = await buildTx(second, a, [Operation.payment({ destination: b.publicKey(), asset: Asset.native(), amount: '1' })], [a], {
        sequence: (BigInt(seqA) - 1n).toString(),
      });
      expect((await submitExpectingFailure(second, stale)).data.extras!.result_codes).toEqual({ transaction: 'tx_bad_seq' });
      const next = await buildTx(second, a, [Operation.payment({ destination: b.publicKey(), asset: Asset.native(), amount: '1' })], [a]);
      const res = await second.server.submitTransaction(next);
      expect(res.ledger).toBeGreaterThan(paid.ledger);
      expect(BigInt(res.paging_token)).toBeGreaterThan(BigInt(tx.paging_token));

      // The faucet still mints from the same issuer.
      expect((await usdcFaucet(second, b.publicKey(), '1')).status).toBe(200);
      expect(await assetBalance(second, b.publicKey(), second.usdc)).toBe('13.5000000');
    } finally {
      await second.stop();
    }
  });

  test('stopping answers a submission in flight and keeps it', async () => {
    const dir = tempDir();
    const first = await startTestSandbox({ dir, ledgerIntervalMs: 400 });
    const a = await funded(first);
    const b = await funded(first);
    const tx = await buildTx(first, a, [Operation.payment({ destination: b.publicKey(), asset: Asset.native(), amount: '8' })], [a]);
    // Sent alone (no memo check first), and given time to reach the server before it is told to stop.
    const submitted = first.server.submitTransaction(tx, { skipMemoRequiredCheck: true });
    await new Promise((r) => setTimeout(r, 100));
    await first.stop();
    const res = await submitted;
    expect(res.successful).toBe(true);

    const second = await startTestSandbox({ dir });
    try {
      expect(await nativeBalance(second, b.publicKey())).toBe('10008.0000000');
      expect((await second.server.transactions().transaction(res.hash).call()).ledger_attr).toBe(res.ledger);
    } finally {
      await second.stop();
    }
  });

  test('a configured issuer secret gives a deterministic USDC issuer; another passphrase is refused', async () => {
    const secret = Keypair.random().secret();
    const dir = tempDir();
    const t = await startTestSandbox({ dir, usdcIssuerSecret: secret });
    expect(t.sandbox.usdcAsset).toEqual({ code: 'USDC', issuer: Keypair.fromSecret(secret).publicKey() });
    const issuer = await t.server.loadAccount(t.sandbox.usdcAsset.issuer);
    expect(Number(issuer.balances[0]!.balance)).toBeGreaterThan(0);
    await t.stop();
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'stellar.json'), 'utf8'));
    expect(saved.usdcIssuerSecret).toBeUndefined();
    await expect(startTestSandbox({ dir, networkPassphrase: 'Some Other Network' })).rejects.toThrow(/passphrase/);
  });
});
