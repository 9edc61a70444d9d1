import { Keypair } from '@stellar/stellar-sdk';
import { SYSTEM } from '../../src/audit/actor';
import type { SecretBox } from '../../src/crypto/secret-box';
import { newId } from '../../src/ids';
import { fulfil } from '../../src/onramp/fulfilment';
import {
  findOnrampOrder,
  findProofAttempt,
  insertMerchant,
  insertOnrampOrder,
  insertProofAttempt,
  transitionOnrampOrder,
} from '../../src/onramp/onramp-repository';
import type { OnrampDeps } from '../../src/onramp/onramp-steps';
import type { StellarNetwork } from '../../src/stellar/network';
import { createUser } from '../../src/users/users-repository';
import { insertWallet, markWalletActive } from '../../src/wallets/wallets-repository';
import { unique } from '../helpers/app';
import { testDatabase } from '../helpers/db';

/**
 * A fulfil step retried after a crash (the worker died once the attempt was recorded VERIFIED, before the order moved):
 * it resumes from its own attempt. The proof is not verified again, and not refused as "already used" by its own
 * acceptance. The chain is out of reach here (Horizon refuses the connection), so the step stops at the claim.
 */
const db = testDatabase(4);
afterAll(async () => {
  await db.close();
});

const secrets = new Map<string, string>();
const box = {
  seal: (s: string, owner: string) => (secrets.set(owner, s), `sealed:${owner}`),
  open: (_s: string, owner: string) => secrets.get(owner)!,
};
const unreachable = {
  passphrase: 'Test SDF Network ; September 2015',
  horizon: { ledgers: () => ({ ledger: () => ({ call: () => Promise.reject(new Error('unreachable')) }) }) },
} as unknown as StellarNetwork;

test('a retried fulfil resumes from its recorded VERIFIED attempt: no second verification, no reuse refusal, the order moves on', async () => {
  const buyer = await createUser(db.db, { externalUserId: unique('onramp-resume'), type: 'BUYER' });
  const wallet = Keypair.random();
  await insertWallet(db.db, { userId: buyer.id, publicKey: wallet.publicKey(), secretSealed: box.seal(wallet.secret(), buyer.id) });
  await markWalletActive(db.db, buyer.id);
  const merchant = Keypair.random();
  const merchantId = newId('mer');
  await insertMerchant(db.db, {
    id: merchantId,
    name: 'M',
    publicKey: merchant.publicKey(),
    secretSealed: box.seal(merchant.secret(), merchantId),
    handles: { venmo: '@m' },
  });
  const id = newId('onr');
  await insertOnrampOrder(
    db.db,
    {
      id,
      sessionId: `sess_${id}`,
      merchantId,
      buyerId: buyer.id,
      buyerAddress: wallet.publicKey(),
      intentHash: `0x${unique('intent').padEnd(64, '0').slice(0, 64)}`,
      paymentPlatform: 'venmo',
      fiatCurrency: 'USD',
      amount: 10_000_000n,
      conversionRate: '1',
      fiatAmount: '1.00',
      recipient: '@m',
      expiresAt: new Date(Date.now() + 3600_000),
    },
    SYSTEM,
  );
  await db.db.transaction(async (tx) => {
    await transitionOnrampOrder(tx, id, { status: 'SIGNAL_SENT' }, SYSTEM);
    await transitionOnrampOrder(
      tx,
      id,
      { status: 'SIGNAL_MINED', balanceId: `00000000${'ab'.repeat(32)}`, signalTx: 'cd'.repeat(32) },
      SYSTEM,
    );
  });
  const o = (await findOnrampOrder(db.db, id))!;
  const attemptId = `proof_${unique('a')}`;
  const proofId = `0x${'12'.repeat(32)}`;
  await insertProofAttempt(db.db, {
    id: attemptId,
    orderId: id,
    intentHash: o.intentHash,
    proofIdentifier: proofId,
    paymentId: `venmo:${unique('pay')}`,
    status: 'VERIFIED',
    verifiedAt: new Date(),
  });

  let verifications = 0;
  const deps: OnrampDeps = {
    db: db.db,
    pool: db.pool,
    network: unreachable,
    box: box as unknown as SecretBox,
    verifyProof: () => {
      verifications += 1;
      return { ok: false, code: 'PROOF_INVALID', reason: 'must not be asked again' };
    },
    policy: { witnesses: [], threshold: 1, paymentBufferSeconds: 60, maxProofAgeSeconds: 60 },
  };
  const retried = await fulfil(deps, { orderId: id, attemptId, proof: { identifier: proofId }, by: SYSTEM }).catch((e: unknown) => e);
  expect(retried).toBeInstanceOf(Error); // stopped at the chain, to be retried again
  expect(verifications).toBe(0);
  expect((await findProofAttempt(db.db, attemptId))!.status).toBe('VERIFIED');
  const after = (await findOnrampOrder(db.db, id))!;
  expect(after.status).toBe('FULFILL_SUBMITTED');
  expect(after.lastErrorCode).toBe('FULFILL_TIMEOUT');
});
