import path from 'node:path';
import { startTrustlessWorkSandbox } from '../../../sandboxes/trustless-work';
import { startTestSandbox, tempDir } from '../stellar/helpers';
import { API_KEY, act, call, deliverAndApprove, deployAndFund, escrowOf, makeParties, usdcOf, usdcStroops, type TwTest } from './helpers';

async function start(dir: string, twDataFile?: string): Promise<TwTest> {
  const t = await startTestSandbox({ dir });
  const tw = await startTrustlessWorkSandbox({
    port: 0,
    stellar: t.sandbox,
    apiKey: API_KEY,
    ...(twDataFile ? { dataFile: twDataFile } : {}),
  });
  const w: TwTest = {
    t,
    tw,
    async stop() {
      await w.tw.stop(); // the instance running now: tests replace it
      await t.stop();
    },
  };
  return w;
}

describe('state across restarts', () => {
  test('the API restarted with its data file: same fee account, the escrow index is back and the escrow releases', async () => {
    const dir = tempDir();
    const dataFile = path.join(dir, 'trustless-work.json');
    const w = await start(dir, dataFile);
    try {
      const p = await makeParties(w.t);
      const contractId = await deployAndFund(w, p);
      const feeAccount = w.tw.feeAccount;
      await w.tw.stop();

      w.tw = await startTrustlessWorkSandbox({ port: 0, stellar: w.t.sandbox, apiKey: API_KEY, dataFile });
      expect(w.tw.feeAccount).toBe(feeAccount);
      expect(await escrowOf(w, contractId)).toMatchObject({ contractId, balance: 100, flags: { released: false } });
      await deliverAndApprove(w, p, contractId);
      expect(
        (await act(w, '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }, p.buyer)).status,
      ).toBe(200);
      expect(await usdcOf(w.t, p.seller.publicKey())).toBe('94.7000000');
      expect(await usdcStroops(w.t, feeAccount)).toBe(3_000_000n);
    } finally {
      await w.stop();
    }
  });

  test('the API restarted without a data file: its read model is empty (404 ESCROW_NOT_FOUND) while calls and validateOnChain read the contract storage on the network', async () => {
    const dir = tempDir();
    const w = await start(dir);
    try {
      const p = await makeParties(w.t);
      const contractId = await deployAndFund(w, p);
      expect((await act(w, '/escrow/single-release/v2/dispute', { contractId, signer: p.buyer.publicKey() }, p.buyer)).status).toBe(200);
      await w.tw.stop();

      w.tw = await startTrustlessWorkSandbox({ port: 0, stellar: w.t.sandbox, apiKey: API_KEY });
      // The indexer's database is gone (docs v2-en/api-rest/errors/escrow/escrow-not-found: "also returned by read
      // endpoints when the requested contract id is not in the read-model"); the chain still has the escrow.
      const unindexed = await call(w.tw, 'GET', `/helper/get-escrow-by-contract-ids?contractIds[]=${contractId}`);
      expect([unindexed.status, unindexed.body.code]).toEqual([404, 'ESCROW_NOT_FOUND']);
      expect(await escrowOf(w, contractId, '&validateOnChain=true')).toMatchObject({
        balance: 100,
        flags: { disputed: true, released: false, resolved: false },
      });
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
      expect(await usdcOf(w.t, p.buyer.publicKey())).toBe('106.8200000');
      expect(await usdcOf(w.t, p.seller.publicKey())).toBe('37.8800000');
      // The new instance's own fee account received the protocol fee.
      expect(await usdcStroops(w.t, w.tw.feeAccount)).toBe(3_000_000n);
      // validateOnChain reads the contract again.
      expect(await escrowOf(w, contractId, '&validateOnChain=true')).toMatchObject({ balance: 0, flags: { resolved: true } });
    } finally {
      await w.stop();
    }
  });

  test('network and API both restarted from their data files: the funded escrow is intact and releases', async () => {
    const dir = tempDir();
    const dataFile = path.join(dir, 'trustless-work.json');
    let w = await start(dir, dataFile);
    const p = await makeParties(w.t);
    const contractId = await deployAndFund(w, p);
    await deliverAndApprove(w, p, contractId);
    await w.stop();

    w = await start(dir, dataFile);
    try {
      expect(await escrowOf(w, contractId, '&validateOnChain=true')).toMatchObject({
        balance: 100,
        milestones: [{ approved: true, status: 'completed' }],
      });
      expect(
        (await act(w, '/escrow/single-release/v2/release-funds', { contractId, releaseSigner: p.buyer.publicKey() }, p.buyer)).status,
      ).toBe(200);
      expect(await usdcOf(w.t, p.seller.publicKey())).toBe('94.7000000');
      expect(await usdcOf(w.t, p.platform.publicKey())).toBe('5.0000000');
    } finally {
      await w.stop();
    }
  });
});
