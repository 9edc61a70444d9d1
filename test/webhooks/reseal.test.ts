import crypto from 'node:crypto';
import { createWalletBox } from '../../src/crypto/sealed-box';
import { newId } from '../../src/ids';
import { newWebhookSecret } from '../../src/webhooks/signing';
import { resealWebhookSecrets } from '../../src/webhooks/reseal-secrets';
import { secretBinding } from '../../src/webhooks/webhook-ids';
import { findEndpoint, insertEndpoint, rotateEndpointSecret } from '../../src/webhooks/webhooks-repository';
import { ownDatabase, type OwnDatabase } from '../helpers/own-database';

/** Rotating the wallet key re-seals webhook secrets too (they are sealed to it), current and previous alike. */
let own: OwnDatabase;
beforeAll(async () => {
  own = await ownDatabase('webhook_reseal');
});
afterAll(() => own.drop());

test('every webhook secret moves to the active key and opens with it alone, unchanged', async () => {
  const k1 = crypto.randomBytes(32);
  const k2 = crypto.randomBytes(32);
  const old = createWalletBox(new Map([['k1', k1]]), 'k1');
  const both = createWalletBox(
    new Map([
      ['k1', k1],
      ['k2', k2],
    ]),
    'k2',
  );
  const onlyNew = createWalletBox(new Map([['k2', k2]]), 'k2');
  const id = newId('whk');
  const [first, second] = [newWebhookSecret(), newWebhookSecret()];
  const seal = (s: string) => old.seal(s, secretBinding(id));
  await insertEndpoint(own.database.db, {
    id,
    owner: 'o',
    url: 'https://8.8.8.8/h',
    eventTypes: ['*'],
    description: null,
    secretSealed: seal(first),
    cursor: 0n,
  });
  await rotateEndpointSecret(own.database.db, id, 'o', seal(second), new Date(Date.now() + 3600_000));

  expect(await resealWebhookSecrets(own.database.db, both)).toBe(1);
  const row = (await findEndpoint(own.database.db, id))!;
  expect(row.secretSealed).toMatch(/^v2\.k2\./);
  expect(row.previousSecretSealed).toMatch(/^v2\.k2\./);
  expect(onlyNew.open(row.secretSealed, secretBinding(id))).toBe(second);
  expect(onlyNew.open(row.previousSecretSealed!, secretBinding(id))).toBe(first);
  expect(await resealWebhookSecrets(own.database.db, both)).toBe(0); // nothing left: the old key may go
});
