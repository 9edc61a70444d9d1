import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const chain = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['WalletActivationRefused'] },
});

export interface WalletActivationInput {
  userId: string;
}

/** `wallet-<userId>`: puts the user's Stellar account on chain (sponsored, with a USDC trustline). */
export async function walletActivation(input: WalletActivationInput): Promise<{ publicKey: string }> {
  return chain.activateWallet({ userId: input.userId });
}
