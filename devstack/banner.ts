import path from 'node:path';
import { ROOT } from './paths';

export interface StackInfo {
  apiPort: string;
  /** The API's metrics listener and the worker's (both on loopback). */
  metricsPort: string;
  workerMetrics: string;
  masterKey: string;
  /** Where the master key was generated and kept, when it was. */
  masterKeyFile: string | null;
  /** Each server of the stack: where it is, and how it came to be there (started here, reused, given). */
  temporal: string;
  temporalUi: string;
  postgres: string;
  stellarSandbox: { url: string; usdcFaucetUrl: string } | null;
  trustlessWorkSandbox: string | null;
  /** The Airtm sandbox (top-ups and payouts) and its demo account, when PAYMENT_PROVIDER has airtm and no Airtm was given. */
  airtmSandbox: { url: string; demoEmail: string } | null;
  /** The on-ramp's sandbox payment platform and the witness address its proofs are signed by (sandbox stack). */
  paymentPlatformSandbox?: { url: string; witness: string };
  /** The treasury account that pays top-ups' USDC on chain (sandbox stack). */
  treasury?: string;
  /** PAYMENT_PROVIDER as the processes run it. */
  paymentProvider?: string;
  /** The real network the stack runs against (STELLAR_NETWORK=testnet or public), when it does. */
  realNetwork: string | null;
  stackEnvFile: string;
}

/** A path inside the clone as the clone sees it (`.data/master-key`), any other as is. */
export function shownPath(p: string): string {
  const rel = path.relative(ROOT, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/** What `npm start` prints once every part runs: where each part is, the master key, and the first call to make. */
export function banner(s: StackInfo): string {
  const api = `http://localhost:${s.apiPort}`;
  const lines = [
    `    API             ${api}/api/v1   (health: ${api}/api/v1/health)`,
    `    API reference   ${api}/docs`,
    `    Metrics         http://127.0.0.1:${s.metricsPort}/metrics   (API; own listener, this host only)`,
    ...(s.workerMetrics ? [`    Worker metrics  http://${s.workerMetrics}/metrics`] : []),
    `    Temporal        ${s.temporal}`,
    `    Temporal UI     ${s.temporalUi}`,
    `    PostgreSQL      ${s.postgres}`,
    ...(s.stellarSandbox
      ? [
          `    Stellar sandbox ${s.stellarSandbox.url}   (USDC faucet: POST ${s.stellarSandbox.usdcFaucetUrl} {"address": "G…", "amount": "100"})`,
        ]
      : []),
    ...(s.realNetwork ? [`    Stellar         ${s.realNetwork}`] : []),
    ...(s.trustlessWorkSandbox ? [`    Trustless Work  ${s.trustlessWorkSandbox}   (sandbox)`] : []),
    ...(s.paymentProvider ? [`    Payments        PAYMENT_PROVIDER=${s.paymentProvider}`] : []),
    ...(s.airtmSandbox
      ? [
          `    Airtm sandbox   ${s.airtmSandbox.url}   (hosted payment pages; demo account ${s.airtmSandbox.demoEmail}: 1000 USD at first start; commands under /_sandbox/)`,
        ]
      : []),
    ...(s.treasury ? [`    Treasury        ${s.treasury}   (USDC float that puts top-ups on chain)`] : []),
    ...(s.paymentPlatformSandbox
      ? [
          `    Payment sandbox ${s.paymentPlatformSandbox.url}   (on-ramp: declare a fiat payment, get its proof; witness ${s.paymentPlatformSandbox.witness})`,
        ]
      : []),
    `    Master key      ${s.masterKey}${s.masterKeyFile ? `   (generated; kept in ${shownPath(s.masterKeyFile)})` : ''}`,
    `    Scripts         npm run ledger:verify, npm run reconcile check this stack (its settings: ${shownPath(s.stackEnvFile)})`,
  ];
  return `
  OFFER-HUB Orchestrator is running
${lines.join('\n')}

  Create your first API key:
    curl -s -X POST ${api}/api/v1/auth/api-keys \\
      -H "Authorization: Bearer ${s.masterKey}" \\
      -H "Content-Type: application/json" \\
      -d '{"name": "My Marketplace", "scopes": ["read", "write"]}'

${s.airtmSandbox ? topUpHelp(api, s.airtmSandbox.demoEmail) : ''}  Ctrl-C stops everything.
`;
}

/** How to top up through the Airtm sandbox: link the demo account, ask for a top-up, confirm on the hosted page. */
function topUpHelp(api: string, email: string): string {
  return `
  Top up a balance through Airtm (the sandbox), with your key as KEY and a user's id as USER_ID:
    curl -s -X POST ${api}/api/v1/users/$USER_ID/airtm/link -H "Authorization: Bearer $KEY" \\
      -H "Content-Type: application/json" -d '{"email": "${email}"}'
    curl -s -X POST ${api}/api/v1/topups -H "Authorization: Bearer $KEY" -H "Idempotency-Key: $(uuidgen)" \\
      -H "Content-Type: application/json" -d '{"user_id": "'$USER_ID'", "amount": "25", "currency": "USD"}'
    Open data.confirmation_url in a browser, enter ${email}, press Confirm: the balance shows 25 within seconds
    (GET ${api}/api/v1/users/$USER_ID/balance). Cancel there, or POST /api/v1/topups/{id}/cancel, changes nothing.
`;
}
