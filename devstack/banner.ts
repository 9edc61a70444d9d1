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
  /** The sandbox Airtm's API URL (AIRTM_API_URL), when PAYMENT_PROVIDER has airtm and no Airtm was given. */
  airtmSandbox?: string | null;
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
      ? [`    Airtm sandbox   ${s.airtmSandbox}   (sandbox; its commands under /_sandbox/, sandboxes/airtm/README.md)`]
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

  Ctrl-C stops everything.
`;
}
