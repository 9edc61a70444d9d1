import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { secretBinding } from './webhook-ids';
import { endpointsNotSealedAs, replaceSealedSecrets } from './webhooks-repository';

/**
 * Webhook secrets are sealed to the wallet key (the API seals, the worker opens), so rotating that key must re-seal
 * them too before the old key goes: `npm run wallets:reseal` runs this after the wallets. Batches, resumable, and an
 * endpoint rotated meanwhile is left for the next run.
 */
export async function resealWebhookSecrets(db: Db, box: SecretBox, batchSize = 100): Promise<number> {
  const prefix = `v2.${box.activeKeyId}.`;
  let resealed = 0;
  let lastId = '';
  for (;;) {
    const rows = await endpointsNotSealedAs(db, prefix, lastId, batchSize);
    if (rows.length === 0) return resealed;
    for (const row of rows) {
      const binding = secretBinding(row.id);
      const previous = row.previousSecretSealed === null ? null : box.seal(box.open(row.previousSecretSealed, binding), binding);
      if (await replaceSealedSecrets(db, row, box.seal(box.open(row.secretSealed, binding), binding), previous)) resealed++;
      lastId = row.id;
    }
  }
}
