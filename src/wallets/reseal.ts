import { Keypair } from '@stellar/stellar-sdk';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { replaceSealedSecret, walletsNotSealedAs } from './wallets-repository';

export interface ResealProgress {
  /** Wallets re-sealed under the active key by this run. */
  resealed: number;
  /** The last user id looked at: the run can be stopped anywhere and started again (it only picks what is left). */
  lastUserId: string;
}

/**
 * Re-seals every wallet secret that is not yet sealed to the active key (an older key id, or the legacy v1 scheme), so
 * a retired key can be removed from WALLET_ENCRYPTION_KEYS. Each wallet is opened, checked against its public key,
 * sealed again and written only if nobody changed it meanwhile; batches are small, so the run is resumable.
 */
export async function resealWallets(
  db: Db,
  box: SecretBox,
  opts: { batchSize?: number; maxBatches?: number; onBatch?: (p: ResealProgress) => void } = {},
): Promise<ResealProgress> {
  const prefix = `v2.${box.activeKeyId}.`;
  const progress: ResealProgress = { resealed: 0, lastUserId: '' };
  for (let batch = 0; batch < (opts.maxBatches ?? Number.POSITIVE_INFINITY); batch++) {
    const rows = await walletsNotSealedAs(db, prefix, progress.lastUserId, opts.batchSize ?? 100);
    if (rows.length === 0) break;
    for (const row of rows) {
      const secret = box.open(row.secretSealed, row.userId);
      if (Keypair.fromSecret(secret).publicKey() !== row.publicKey) {
        throw new Error(`the secret of ${row.userId}'s wallet does not match its public key; nothing written for it`);
      }
      if (await replaceSealedSecret(db, row.userId, row.secretSealed, box.seal(secret, row.userId))) progress.resealed++;
      progress.lastUserId = row.userId;
    }
    opts.onBatch?.({ ...progress });
  }
  return progress;
}
