import { type Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { moveToEscrow, refundEscrow, settleEscrow, splitEscrow } from '../ledger';
import { formatAmount } from '../money';
import type { TrustlessWorkClient } from '../providers/trustless-work/client';
import type { StellarNetwork } from '../stellar/network';
import { walletKeypair } from '../wallets/wallets';
import { findWallet, type WalletRow } from '../wallets/wallets-repository';
import { bpsToPercent, distributionFees, type PayoutSplit } from './fees';
import { deployedContractId, submitEscrowCall } from './submit-call';
import { submitOnce } from '../stellar/submitter';
import { signTransaction } from '../stellar/sign';

export interface EscrowDeps {
  pool: Pool;
  db: Db;
  network: StellarNetwork;
  box: SecretBox;
  /** Null when no Trustless Work API key is configured: every escrow step then refuses clearly. */
  tw: TrustlessWorkClient | null;
}

/** The order as the escrow steps need it (amounts are minor units in decimal strings: activity inputs are JSON). */
export interface EscrowOrder {
  orderId: string;
  buyerId: string;
  sellerId: string;
  amountMinor: string;
  platformFeeBps: number;
}

/** What a settlement paid, in minor units: the ledger books exactly what the contract paid on chain. */
export interface Settlement {
  releasedMinor: string;
  refundedMinor: string;
  platformFeeMinor: string;
  protocolFeeMinor: string;
  txHash: string;
}

const MILESTONE = '0';

function tw(deps: EscrowDeps): TrustlessWorkClient {
  if (!deps.tw)
    throw new AppError('PROVIDER_ERROR', 'Trustless Work is not configured (TRUSTLESS_WORK_API_KEY)', { provider: 'trustless_work' });
  return deps.tw;
}

/**
 * Active wallets never change, so their rows are remembered (the secret stays sealed in memory: it is opened for each
 * signature and dropped).
 */
const activeWallets = new Map<string, WalletRow>();

/** A party's wallet key; a wallet still being activated is worth waiting for (plain error: retried). */
async function partyKey(deps: EscrowDeps, userId: string): Promise<Keypair> {
  const wallet = activeWallets.get(userId) ?? (await findWallet(deps.db, userId));
  if (!wallet) throw new AppError('INVALID_STATE', `user ${userId} has no wallet`, { user_id: userId });
  if (wallet.status !== 'ACTIVE') throw new Error(`the wallet of ${userId} is not active yet`);
  if (activeWallets.size >= 10_000) activeWallets.clear();
  activeWallets.set(userId, wallet);
  return walletKeypair(deps.box, wallet);
}

const related = (o: EscrowOrder) => ({ type: 'order', id: o.orderId });

/**
 * Deploys the order's single-release escrow. The buyer's wallet deploys it (the platform pays the fee through a fee
 * bump), so deployments of different orders use different sequence numbers and go through in parallel instead of
 * queueing on the platform account's. Returns the contract id.
 */
export async function deployEscrow(
  deps: EscrowDeps,
  o: EscrowOrder & { title: string; description: string },
): Promise<{ contractId: string; txHash: string }> {
  const client = tw(deps);
  const [buyer, seller] = [await partyKey(deps, o.buyerId), await partyKey(deps, o.sellerId)];
  const platform = deps.network.platform.publicKey();
  if (o.platformFeeBps > 0) await ensurePlatformTrustline(deps);
  const roles = {
    approver: buyer.publicKey(),
    releaseSigner: buyer.publicKey(),
    serviceProvider: seller.publicKey(),
    receiver: seller.publicKey(),
    platformAddress: platform,
    disputeResolver: platform,
  };
  const sent = await submitEscrowCall(deps, {
    key: `order:${o.orderId}:escrow-deploy`,
    signer: buyer,
    expect: { call: { deploy: true } },
    fetchUnsigned: () =>
      client.deploySingleRelease({
        signer: buyer.publicKey(),
        engagementId: o.orderId,
        title: o.title,
        description: o.description,
        roles,
        amount: formatAmount(BigInt(o.amountMinor)),
        platformFee: bpsToPercent(BigInt(o.platformFeeBps)),
        milestones: [{ description: o.title }],
        trustline: { address: deps.network.usdc.issuer, decimals: 10_000_000 },
      }),
  });
  const contractId = deployedContractId(sent.envelopeXdr, deps.network.passphrase);
  // The indexer must know it with the roles and amount we asked for; a mismatch is never funded.
  const [escrow] = (await client.getEscrows([contractId]).catch(() => [])) as Array<{
    roles?: Record<string, string>;
    amount?: number | string;
  }>;
  if (
    escrow &&
    (JSON.stringify(sortKeys(escrow.roles ?? {})) !== JSON.stringify(sortKeys(roles)) ||
      String(escrow.amount) !== formatAmount(BigInt(o.amountMinor)))
  ) {
    throw new AppError('PROVIDER_ERROR', `the deployed escrow ${contractId} does not hold the roles and amount of the order`, {
      provider: 'trustless_work',
      contract_id: contractId,
    });
  }
  return { contractId, txHash: sent.hash };
}

/** Platform accounts (per network) known to hold a USDC trustline: checked on chain once per process, not per deploy. */
const platformTrustlines = new Set<string>();

/** The platform address receives the platform fee in USDC, so it needs a trustline (opened once per network). */
async function ensurePlatformTrustline(deps: EscrowDeps): Promise<void> {
  const { network } = deps;
  const platform = network.platform.publicKey();
  const known = `${network.tag}:${platform}`;
  if (platformTrustlines.has(known)) return;
  const account = await network.horizon.loadAccount(platform);
  if (account.balances.some((b) => 'asset_code' in b && b.asset_code === network.usdc.code && b.asset_issuer === network.usdc.issuer)) {
    platformTrustlines.add(known);
    return;
  }
  const outcome = await submitOnce(deps.pool, network, {
    key: `platform:${network.tag}:${platform}:usdc-trustline`,
    sourceAccount: platform,
    build: async (source) => {
      const tx = new TransactionBuilder(source, { fee: await network.fees.perOperation(), networkPassphrase: network.passphrase })
        .addOperation(Operation.changeTrust({ asset: network.usdc }))
        .setTimeout(120)
        .build();
      signTransaction(tx, network.platform);
      return tx;
    },
  });
  if (outcome.status === 'FAILED')
    throw new AppError('PROVIDER_ERROR', 'the platform account could not open its USDC trustline', {
      provider: 'stellar',
      result_codes: outcome.codes,
    });
  platformTrustlines.add(known);
}

function sortKeys(o: Record<string, string>): Array<[string, string]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

/** The buyer's wallet funds the contract; then the ledger moves the buyer's reserved funds to escrow. */
export async function fundEscrow(deps: EscrowDeps, o: EscrowOrder & { contractId: string }): Promise<{ txHash: string }> {
  const client = tw(deps);
  const buyer = await partyKey(deps, o.buyerId);
  const amount = BigInt(o.amountMinor);
  const sent = await submitEscrowCall(deps, {
    key: `order:${o.orderId}:escrow-fund`,
    signer: buyer,
    expect: { call: { contract: o.contractId, fn: 'fund_escrow' }, amount },
    fetchUnsigned: () => client.fundEscrow({ contractId: o.contractId, signer: buyer.publicKey(), amount: formatAmount(amount) }),
  });
  await moveToEscrow(deps.pool, {
    key: `order:${o.orderId}:escrow-fund`,
    buyerId: o.buyerId,
    amount,
    currency: 'USD',
    related: related(o),
    metadata: { tx_hash: sent.hash, contract_id: o.contractId },
  });
  return { txHash: sent.hash };
}

/** The seller marks the milestone completed on the contract, with the evidence. */
export async function markDelivered(
  deps: EscrowDeps,
  o: EscrowOrder & { contractId: string; evidence: string },
): Promise<{ txHash: string }> {
  const client = tw(deps);
  const seller = await partyKey(deps, o.sellerId);
  const sent = await submitEscrowCall(deps, {
    key: `order:${o.orderId}:deliver`,
    signer: seller,
    expect: { call: { contract: o.contractId, fn: 'change_milestone_status' } },
    fetchUnsigned: () =>
      client.changeMilestoneStatus({
        contractId: o.contractId,
        milestoneIndex: MILESTONE,
        newStatus: 'completed',
        newEvidence: o.evidence,
        serviceProvider: seller.publicKey(),
      }),
  });
  return { txHash: sent.hash };
}

/** The buyer approves the milestone and releases: the contract pays the seller; the ledger books it with its fees. */
export async function releaseEscrow(deps: EscrowDeps, o: EscrowOrder & { contractId: string }): Promise<Settlement> {
  const client = tw(deps);
  const buyer = await partyKey(deps, o.buyerId);
  await submitEscrowCall(deps, {
    key: `order:${o.orderId}:approve`,
    signer: buyer,
    expect: { call: { contract: o.contractId, fn: 'approve_milestone' } },
    fetchUnsigned: () => client.approveMilestone({ contractId: o.contractId, milestoneIndex: MILESTONE, approver: buyer.publicKey() }),
  });
  const sent = await submitEscrowCall(deps, {
    key: `order:${o.orderId}:release`,
    signer: buyer,
    expect: { call: { contract: o.contractId, fn: 'release_funds' } },
    fetchUnsigned: () => client.releaseFunds({ contractId: o.contractId, releaseSigner: buyer.publicKey() }),
  });
  return bookSettlement(deps, o, { release: BigInt(o.amountMinor), refund: 0n }, sent.hash);
}

/** Opens the contract's dispute, signed by the party that opens it (the dispute resolver may not). */
export async function disputeEscrow(
  deps: EscrowDeps,
  o: EscrowOrder & { contractId: string; openedBy: 'BUYER' | 'SELLER'; key?: string },
): Promise<{ txHash: string }> {
  const client = tw(deps);
  const party = await partyKey(deps, o.openedBy === 'BUYER' ? o.buyerId : o.sellerId);
  const sent = await submitEscrowCall(deps, {
    key: o.key ?? `order:${o.orderId}:dispute`,
    signer: party,
    expect: { call: { contract: o.contractId, fn: 'dispute_escrow' } },
    fetchUnsigned: () => client.disputeEscrow({ contractId: o.contractId, signer: party.publicKey() }),
  });
  return { txHash: sent.hash };
}

/**
 * Pays a disputed escrow out as decided: the platform, as dispute resolver, distributes the whole balance (release
 * to the seller, refund to the buyer); each part bears the contract's fees, and the ledger books the same.
 */
export async function resolveEscrow(
  deps: EscrowDeps,
  o: EscrowOrder & { contractId: string; releaseMinor: string; refundMinor: string; key?: string },
): Promise<Settlement> {
  const client = tw(deps);
  const [buyer, seller] = [await partyKey(deps, o.buyerId), await partyKey(deps, o.sellerId)];
  const release = BigInt(o.releaseMinor);
  const refund = BigInt(o.refundMinor);
  if (release + refund !== BigInt(o.amountMinor))
    throw new AppError('VALIDATION_ERROR', 'release and refund must add up to the escrowed amount', {
      escrowed: formatAmount(BigInt(o.amountMinor)),
    });
  const payouts = [
    { address: seller.publicKey(), amount: release },
    { address: buyer.publicKey(), amount: refund },
  ].filter((p) => p.amount > 0n);
  const platform = deps.network.platform;
  const sent = await submitEscrowCall(deps, {
    key: o.key ?? `order:${o.orderId}:resolve`,
    signer: platform,
    expect: { call: { contract: o.contractId, fn: 'resolve_dispute' }, payouts },
    fetchUnsigned: () =>
      client.resolveDispute({
        contractId: o.contractId,
        disputeResolver: platform.publicKey(),
        distributions: payouts.map((p) => ({ address: p.address, amount: formatAmount(p.amount) })),
      }),
  });
  return bookSettlement(deps, o, { release, refund }, sent.hash);
}

/** A refund of the whole escrow: the buyer disputes, the platform resolves it entirely to the buyer. */
export async function refundWholeEscrow(deps: EscrowDeps, o: EscrowOrder & { contractId: string }): Promise<Settlement> {
  await disputeEscrow(deps, { ...o, openedBy: 'BUYER', key: `order:${o.orderId}:refund-dispute` });
  return resolveEscrow(deps, { ...o, releaseMinor: '0', refundMinor: o.amountMinor, key: `order:${o.orderId}:refund-resolve` });
}

async function bookSettlement(
  deps: EscrowDeps,
  o: EscrowOrder,
  parts: { release: bigint; refund: bigint },
  txHash: string,
): Promise<Settlement> {
  const bps = BigInt(o.platformFeeBps);
  // One resolution (or release) pays both parts out of one total: the contract's fees are on that total, each part
  // bearing its pro-rata share (docs/trustless-work.md, "fees and dispute splits").
  const [toSeller, toBuyer] = distributionFees([parts.release, parts.refund], bps) as [PayoutSplit, PayoutSplit];
  const base = { key: `order:${o.orderId}:settle`, currency: 'USD' as const, related: related(o), metadata: { tx_hash: txHash } };
  if (parts.refund === 0n) {
    await settleEscrow(deps.pool, {
      ...base,
      buyerId: o.buyerId,
      sellerId: o.sellerId,
      amount: parts.release,
      fee: toSeller.platform,
      protocolFee: toSeller.protocol,
    });
  } else if (parts.release === 0n) {
    await refundEscrow(deps.pool, {
      ...base,
      buyerId: o.buyerId,
      amount: parts.refund,
      fee: toBuyer.platform,
      protocolFee: toBuyer.protocol,
    });
  } else {
    await splitEscrow(deps.pool, {
      ...base,
      buyerId: o.buyerId,
      sellerId: o.sellerId,
      releaseAmount: parts.release,
      refundAmount: parts.refund,
      fee: toSeller.platform,
      protocolFee: toSeller.protocol,
      refundFees: { fee: toBuyer.platform, protocolFee: toBuyer.protocol },
    });
  }
  return {
    releasedMinor: toSeller.net.toString(),
    refundedMinor: toBuyer.net.toString(),
    platformFeeMinor: (toSeller.platform + toBuyer.platform).toString(),
    protocolFeeMinor: (toSeller.protocol + toBuyer.protocol).toString(),
    txHash,
  };
}
