import crypto from 'node:crypto';
import { startAirtmSandbox, type AirtmSandbox } from '../../sandboxes/airtm';
import { loadConfig } from '../../src/config';
import { prepareTreasury } from '../../src/treasury/treasury';
import { unique } from './app';
import { eventually, startStellarStack, type StellarStack } from './stellar-stack';

export interface AirtmStack extends StellarStack {
  airtm: AirtmSandbox;
  webhookSecret: string;
  /** The treasury's account (created at start, holding `treasuryFloat` USDC from the faucet). */
  treasury: string;
  /** An active user with a linked Airtm account holding `balance` USD there. */
  airtmUser(key: string, balance?: string): Promise<{ id: string; address: string; email: string }>;
  /** What the hosted page's form does: the user confirms (or cancels) the pay-in behind `confirmationUrl`. */
  pay(confirmationUrl: string, email: string, action?: 'confirm' | 'cancel'): Promise<{ status: number; location: string | null }>;
  /** Waits until the top-up reaches `status` and answers it. */
  topupReaching(key: string, id: string, status: string, ms?: number): Promise<any>;
}

/**
 * The Stellar stack with the Airtm sandbox wired in (AIRTM_*): its signed webhooks reach this stack's API, and the
 * top-ups ask Airtm themselves after `TOPUP_POLL_INITIAL_MS` (default here 60 s: a test relies on polling only when
 * it says so).
 */
export async function startAirtmStack(extra: Record<string, string> = {}, treasuryFloat = '10000'): Promise<AirtmStack> {
  const webhookSecret = `whsec_${crypto.randomBytes(24).toString('base64')}`;
  const apiKey = unique('airtm-key');
  const apiSecret = crypto.randomBytes(16).toString('hex');
  const airtm = await startAirtmSandbox({ port: 0, apiKey, apiSecret, webhookSecret, webhookScheduleMs: [0, 200, 500, 1000] });
  const stack = await startStellarStack({
    AIRTM_API_URL: airtm.apiUrl,
    AIRTM_API_KEY: apiKey,
    AIRTM_API_SECRET: apiSecret,
    AIRTM_WEBHOOK_SECRET: webhookSecret,
    TOPUP_POLL_INITIAL_MS: '60000',
    TOPUP_POLL_MAX_MS: '60000',
    ...extra,
  });
  airtm.webhooks.setUrl(`${stack.api.url}/api/v1/webhooks/airtm`);
  // Where Airtm's page sends the browser back: this API's own return page, whose port is known only now it listens.
  stack.api.deps.config.AIRTM_RETURN_URL = `${stack.api.url}/api/v1/airtm/return`;
  const treasury = await prepareTreasury(loadConfig({ ...process.env, ...stack.overrides }));
  if (treasuryFloat !== '0') await stack.faucet(treasury.address, treasuryFloat);
  const stop = stack.stop.bind(stack);
  return Object.assign(stack, {
    airtm,
    webhookSecret,
    treasury: treasury.address,
    async airtmUser(key: string, balance = '1000.00') {
      const user = await stack.activeUser(key);
      const email = `${unique('payer')}@example.com`.toLowerCase();
      airtm.putUser(email, { balance, isVerified: true });
      const linked = await stack.api.call('POST', `/api/v1/users/${user.id}/airtm/link`, { key, body: { email } });
      if (linked.status !== 200) throw new Error(`link answered ${linked.status}: ${linked.text}`);
      return { ...user, email };
    },
    async pay(confirmationUrl: string, email: string, action: 'confirm' | 'cancel' = 'confirm') {
      const res = await fetch(confirmationUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, action }).toString(),
        redirect: 'manual',
      });
      await res.text();
      return { status: res.status, location: res.headers.get('location') };
    },
    async topupReaching(key: string, id: string, status: string, ms = 20_000) {
      return eventually(
        async () => {
          const res = await stack.api.call('GET', `/api/v1/topups/${id}`, { key });
          return res.body?.data?.status === status && res.body.data;
        },
        ms,
        `top-up ${id} ${status}`,
      );
    },
    async stop() {
      await stop();
      await airtm.stop();
    },
  });
}
