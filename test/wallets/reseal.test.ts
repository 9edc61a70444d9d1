import crypto from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import { createSealer, createWalletBox, sealingKeyOf } from '../../src/crypto/sealed-box';
import { createSecretBox, parseKeyring, sealedKeyId } from '../../src/crypto/secret-box';
import { createUser } from '../../src/users/users-repository';
import { walletKeypair } from '../../src/wallets/wallets';
import { findWallet, replaceSealedSecret } from '../../src/wallets/wallets-repository';
import { resealWallets } from '../../src/wallets/reseal';
import { wallets } from '../../src/db/schema';
import { createDatabase, type Database } from '../../src/db/client';
import { isolatedDatabaseUrl } from '../helpers/db';

/** A database of its own: the re-seal walks every wallet, and the other suites' wallets are sealed under the run's key. */
let db: Database;
beforeAll(async () => {
  db = createDatabase(await isolatedDatabaseUrl('reseal'), 4);
});
afterAll(() => db.close());

const k1 = crypto.randomBytes(32).toString('base64');
const k2 = crypto.randomBytes(32).toString('base64');
const oldRing = parseKeyring(`k1:${k1}`);
const rotatedRing = parseKeyring(`k1:${k1},k2:${k2}`);

/** Wallets sealed the three ways a deployment may hold them: legacy v1 under k1, v2 under k1, and already v2 under k2. */
async function seedWallets(tag: string) {
  const made: Array<{ userId: string; secret: string }> = [];
  const sealers = [
    createSecretBox(oldRing, 'k1'),
    createSealer(sealingKeyOf(oldRing, 'k1')),
    createSealer(sealingKeyOf(rotatedRing, 'k2')),
  ];
  for (let i = 0; i < 9; i++) {
    const user = await createUser(db.db, { externalUserId: `reseal-${tag}-${i}`, type: 'BUYER' });
    const pair = Keypair.random();
    await db.db
      .insert(wallets)
      .values({ userId: user.id, publicKey: pair.publicKey(), secretSealed: sealers[i % 3].seal(pair.secret(), user.id) });
    made.push({ userId: user.id, secret: pair.secret() });
  }
  return made;
}

describe('npm run wallets:reseal (src/wallets/reseal.ts)', () => {
  it('after a rotation to k2, every wallet ends sealed under k2 (v2) and opens to the same secret without k1', async () => {
    const made = await seedWallets('all');
    const box = createWalletBox(rotatedRing, 'k2');
    const first = await resealWallets(db.db, box, { batchSize: 4 });
    expect(first.resealed).toBe(6); // the 6 under k1; the 3 already under k2 are left
    const withoutK1 = createWalletBox(parseKeyring(`k2:${k2}`), 'k2');
    for (const m of made) {
      const row = (await findWallet(db.db, m.userId))!;
      expect(row.secretSealed.startsWith('v2.k2.')).toBe(true);
      expect(sealedKeyId(row.secretSealed)).toBe('k2');
      expect(walletKeypair(withoutK1, row).secret()).toBe(m.secret);
    }
    const again = await resealWallets(db.db, box, { batchSize: 4 });
    expect(again.resealed).toBe(0);
  });

  it('stopped after one batch, a second run finishes the rest and re-seals nothing twice', async () => {
    const made = await seedWallets('resume');
    const box = createWalletBox(rotatedRing, 'k2');
    const before = await Promise.all(made.map(async (m) => (await findWallet(db.db, m.userId))!.secretSealed));
    const partial = await resealWallets(db.db, box, { batchSize: 2, maxBatches: 1 });
    expect(partial.resealed).toBe(2);
    const rest = await resealWallets(db.db, box, { batchSize: 2 });
    const after = await Promise.all(made.map(async (m) => (await findWallet(db.db, m.userId))!.secretSealed));
    expect(after.every((s) => s.startsWith('v2.k2.'))).toBe(true);
    // The 3 already under k2 were left as they were; the 6 others changed exactly once across both runs.
    expect(after.filter((s, i) => s === before[i])).toHaveLength(3);
    expect(partial.resealed + rest.resealed).toBe(6);
  });

  it('a wallet re-sealed by someone else meanwhile is not overwritten', async () => {
    const [m] = await seedWallets('race');
    const row = (await findWallet(db.db, m.userId))!;
    const box = createWalletBox(rotatedRing, 'k2');
    expect(await replaceSealedSecret(db.db, m.userId, row.secretSealed, box.seal(m.secret, m.userId))).toBe(true);
    expect(await replaceSealedSecret(db.db, m.userId, row.secretSealed, 'v2.k2.stale')).toBe(false);
    expect(walletKeypair(box, (await findWallet(db.db, m.userId))!).secret()).toBe(m.secret);
  });
});
