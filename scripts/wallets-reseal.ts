/**
 * `npm run wallets:reseal`: re-seals every wallet secret, then every webhook signing secret, under the active key
 * (WALLET_ENCRYPTION_KEY_ID), in batches; safe to stop and run again. When it reports 0 left, the retired key can be removed from WALLET_ENCRYPTION_KEYS.
 */
import { useLocalStackEnv } from '../devstack/local-env';
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/client';
import { walletSecretBox } from '../src/wallets/wallet-keys';
import { resealWallets } from '../src/wallets/reseal';
import { resealWebhookSecrets } from '../src/webhooks/reseal-secrets';

async function main(): Promise<void> {
  useLocalStackEnv();
  const config = loadConfig();
  const database = createDatabase(config.DATABASE_URL, 2);
  try {
    const box = walletSecretBox(config);
    const done = await resealWallets(database.db, box, {
      onBatch: (p) => console.log(`re-sealed ${p.resealed} so far (up to ${p.lastUserId})`),
    });
    console.log(`done: ${done.resealed} wallet secrets re-sealed under key ${box.activeKeyId}`);
    const webhooks = await resealWebhookSecrets(database.db, box);
    console.log(`done: ${webhooks} webhook endpoints' signing secrets re-sealed under key ${box.activeKeyId}`);
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
