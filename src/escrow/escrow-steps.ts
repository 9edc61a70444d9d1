import { type Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { postAnnounced } from '../events/balance-events';
import { AppError } from '../errors';
import { moveToEscrow, refundEscrow, settleEscrow, splitEscrow } from '../ledger';
import { formatAmount } from '../money';
import { type Roles, type TrustlessWorkClient, TrustlessWorkRefusal } from '../providers/trustless-work/client';
import { percentOf, toWireAmount } from '../providers/trustless-work/amounts';
import { escrowDiffers } from '../providers/trustless-work/escrow-view';
import { deployedContractId } from '../providers/trustless-work/verify';
import type { StellarNetwork } from '../stellar/network';
import { walletKeypair } from '../wallets/wallets';
import { findWallet, type WalletRow } from '../wallets/wallets-repository';
import { distributionFees, type PayoutSplit } from './fees';
import { returnedAddress, submitEscrowCall } from './submit-call';
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
 * Deploys the order's single-release escrow through Trustless Work's factory. The buyer's wallet deploys it (the
 * platform pays the fee through a fee bump), so deployments of different orders use different sequence numbers and
 * go through in parallel instead of queueing on the platform account's. Before signing: the call goes to the pinned
 * factory, the deployer is the buyer, the escrow holds exactly our roles, amount, platform fee and trustline, and the
 * predicted contract id is the one the call creates. After: the network must report that id, and the indexer must
 * hold the escrow as we asked for it; otherwise the step is refused (fail closed: nothing is funded).
 */
export async function deployEscrow(
  deps: EscrowDeps,
  o: EscrowOrder & { title: string; description: string },
): Promise<{ contractId: string; txHash: string }> {
  const client = tw(deps);
  const refuse = (message: string, details: Record<string, unknown> = {}) =>
    new AppError('PROVIDER_ERROR', message, { provider: 'trustless_work', ...details });
  const factory = client.factoryId;
  if (!factory) throw refuse('no Trustless Work factory contract is pinned for this network (TRUSTLESS_WORK_FACTORY_ID)');
  const [buyer, seller] = [await partyKey(deps, o.buyerId), await partyKey(deps, o.sellerId)];
  const platform = deps.network.platform.publicKey();
  // Whatever the fee: a payout to an address without a USDC trustline traps the whole contract call
  // (docs/trustless-work.md, "fees and dispute splits").
  await ensurePlatformTrustline(deps);
  const roles: Roles = {
    approver: buyer.publicKey(),
    releaseSigner: buyer.publicKey(),
    serviceProvider: seller.publicKey(),
    receiver: seller.publicKey(),
    platformAddress: platform,
    disputeResolver: platform,
  };
  const amount = BigInt(o.amountMinor);
  const platformFeeBps = BigInt(o.platformFeeBps);
  // The token's Stellar Asset Contract: what the contract's `Trustline { address }` transfers with.
  const trustline = deps.network.usdc.contractId(deps.network.passphrase);
  const sent = await submitEscrowCall(
    { ...deps, tw: client },
    {
      key: `order:${o.orderId}:escrow-deploy`,
      signer: buyer,
      expect: { call: { deploy: { factory, roles, amount, platformFeeBps, trustline } } },
      fetchUnsigned: () =>
        client.deploySingleRelease({
          signer: buyer.publicKey(),
          engagementId: o.orderId,
          title: o.title,
          description: o.description,
          roles,
          amount: toWireAmount(amount),
          platformFee: percentOf(platformFeeBps),
          milestones: [{ description: o.title }],
          trustline: { address: trustline },
        }),
    },
  );
  const contractId = deployedContractId(sent.envelopeXdr, deps.network.passphrase);
  const onChain = await returnedAddress(deps.network, sent.hash);
  if (onChain !== contractId)
    throw refuse(`the deployment created ${onChain ?? 'no contract'}, not the predicted ${contractId}`, {
      contract_id: contractId,
      tx_hash: sent.hash,
    });
  if (!sent.indexed) throw refuse(`Trustless Work's indexer did not take in the deployment of ${contractId}`, { contract_id: contractId });
  const escrows = await client.getEscrows([contractId]).catch((err: unknown) => {
    if (err instanceof TrustlessWorkRefusal) return [];
    throw err;
  });
  const escrow = (escrows as unknown[]).find((e) => (e as { contractId?: unknown })?.contractId === contractId);
  const why = escrow ? escrowDiffers(escrow, { roles, amount, platformFeeBps, trustline }) : 'it is missing from the indexer';
  if (why)
    throw refuse(`the deployed escrow ${contractId} is not the one the order asked for: ${why}`, {
      contract_id: contractId,
      tx_hash: sent.hash,
    });
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

/** The buyer's wallet funds the contract; then the ledger moves the buyer's reserved funds to escrow. */
export async function fundEscrow(deps: EscrowDeps, o: EscrowOrder & { contractId: string }): Promise<{ txHash: string }> {
  const client = tw(deps);
  const buyer = await partyKey(deps, o.buyerId);
  const amount = BigInt(o.amountMinor);
  const sent = await submitEscrowCall(
    { ...deps, tw: client },
    {
      key: `order:${o.orderId}:escrow-fund`,
      signer: buyer,
      expect: { call: { contract: o.contractId, fn: 'fund_escrow' }, amount },
      fetchUnsigned: () => client.fundEscrow({ contractId: o.contractId, signer: buyer.publicKey(), amount: toWireAmount(amount) }),
    },
  );
  await postAnnounced(deps.pool, (tx) =>
    moveToEscrow(tx, {
      key: `order:${o.orderId}:escrow-fund`,
      buyerId: o.buyerId,
      amount,
      currency: 'USD',
      related: related(o),
      metadata: { tx_hash: sent.hash, contract_id: o.contractId },
    }),
  );
  return { txHash: sent.hash };
}

/** The seller marks the milestone completed on the contract, with the evidence. */
export async function markDelivered(
  deps: EscrowDeps,
  o: EscrowOrder & { contractId: string; evidence: string },
): Promise<{ txHash: string }> {
  const client = tw(deps);
  const seller = await partyKey(deps, o.sellerId);
  const sent = await submitEscrowCall(
    { ...deps, tw: client },
    {
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
    },
  );
  return { txHash: sent.hash };
}

/** The buyer approves the milestone and releases: the contract pays the seller; the ledger books it with its fees. */
export async function releaseEscrow(deps: EscrowDeps, o: EscrowOrder & { contractId: string }): Promise<Settlement> {
  const client = tw(deps);
  const buyer = await partyKey(deps, o.buyerId);
  await submitEscrowCall(
    { ...deps, tw: client },
    {
      key: `order:${o.orderId}:approve`,
      signer: buyer,
      expect: { call: { contract: o.contractId, fn: 'approve_milestone' } },
      fetchUnsigned: () => client.approveMilestone({ contractId: o.contractId, milestoneIndex: MILESTONE, approver: buyer.publicKey() }),
    },
  );
  const sent = await submitEscrowCall(
    { ...deps, tw: client },
    {
      key: `order:${o.orderId}:release`,
      signer: buyer,
      expect: { call: { contract: o.contractId, fn: 'release_funds' } },
      fetchUnsigned: () => client.releaseFunds({ contractId: o.contractId, releaseSigner: buyer.publicKey() }),
    },
  );
  return bookSettlement(deps, o, { release: BigInt(o.amountMinor), refund: 0n }, sent.hash);
}

/** Opens the contract's dispute, signed by the party that opens it (the dispute resolver may not). */
export async function disputeEscrow(
  deps: EscrowDeps,
  o: EscrowOrder & { contractId: string; openedBy: 'BUYER' | 'SELLER'; key?: string },
): Promise<{ txHash: string }> {
  const client = tw(deps);
  const party = await partyKey(deps, o.openedBy === 'BUYER' ? o.buyerId : o.sellerId);
  const sent = await submitEscrowCall(
    { ...deps, tw: client },
    {
      key: o.key ?? `order:${o.orderId}:dispute`,
      signer: party,
      expect: { call: { contract: o.contractId, fn: 'dispute_escrow' } },
      fetchUnsigned: () => client.disputeEscrow({ contractId: o.contractId, signer: party.publicKey() }),
    },
  );
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
  const sent = await submitEscrowCall(
    { ...deps, tw: client },
    {
      key: o.key ?? `order:${o.orderId}:resolve`,
      signer: platform,
      expect: { call: { contract: o.contractId, fn: 'resolve_dispute' }, payouts },
      fetchUnsigned: () =>
        client.resolveDispute({
          contractId: o.contractId,
          disputeResolver: platform.publicKey(),
          distributions: payouts.map((p) => ({ address: p.address, amount: toWireAmount(p.amount) })),
        }),
    },
  );
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
    await postAnnounced(deps.pool, (tx) =>
      settleEscrow(tx, {
        ...base,
        buyerId: o.buyerId,
        sellerId: o.sellerId,
        amount: parts.release,
        fee: toSeller.platform,
        protocolFee: toSeller.protocol,
      }),
    );
  } else if (parts.release === 0n) {
    await postAnnounced(deps.pool, (tx) =>
      refundEscrow(tx, {
        ...base,
        buyerId: o.buyerId,
        amount: parts.refund,
        fee: toBuyer.platform,
        protocolFee: toBuyer.protocol,
      }),
    );
  } else {
    await postAnnounced(deps.pool, (tx) =>
      splitEscrow(tx, {
        ...base,
        buyerId: o.buyerId,
        sellerId: o.sellerId,
        releaseAmount: parts.release,
        refundAmount: parts.refund,
        fee: toSeller.platform,
        protocolFee: toSeller.protocol,
        refundFees: { fee: toBuyer.platform, protocolFee: toBuyer.protocol },
      }),
    );
  }
  return {
    releasedMinor: toSeller.net.toString(),
    refundedMinor: toBuyer.net.toString(),
    platformFeeMinor: (toSeller.platform + toBuyer.platform).toString(),
    protocolFeeMinor: (toSeller.protocol + toBuyer.protocol).toString(),
    txHash,
  };
}
