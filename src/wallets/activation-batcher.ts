import crypto from 'node:crypto';
import type { Keypair } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { isHorizonNotFound } from '../stellar/horizon-errors';
import type { StellarNetwork } from '../stellar/network';
import { StellarTransientError, type SubmitOutcome, type SubmitRequest, submitOnce } from '../stellar/submitter';
import { buildActivationBatch, MAX_ACTIVATIONS_PER_TRANSACTION, usersToBlame } from './activation-batch';
import { channelKeypairs, ensureChannels } from './channels';
import { findWallet, markWalletsActive, type WalletRow } from './wallets-repository';
import { WalletActivationRefused, walletKeypair } from './wallets';

export interface BatcherDeps {
  db: Db;
  pool: Pool;
  network: StellarNetwork;
  box: SecretBox;
}

export interface ActivationRequest {
  userId: string;
  /**
   * The account may already be on chain (a retried activation whose transaction may have landed): looked up before it
   * goes into a batch, so a batch never fails on an account that exists.
   */
  maybeOnChain: boolean;
}

interface Entry {
  wallet: WalletRow;
  user: Keypair;
  /** Goes into a batch of its own: its operations failed in a batch of several (stellar-core fails them all). */
  alone: boolean;
  resolve(row: WalletRow): void;
  reject(err: Error): void;
}

/**
 * Wallet activations in bulk. Each request waits in a queue; every channel account takes up to
 * MAX_ACTIVATIONS_PER_TRANSACTION waiting users into one transaction and submits it (one per channel and ledger, as
 * stellar-core admits them), so N channels activate up to N × 18 wallets per ledger close. A batch that fails because of
 * one user's operations is sent again without that user, who is then tried alone: one user never fails the others.
 * Exactly once: a batch is submitOnce's (its envelope stored before it is sent, resubmitted as it is after a fault).
 */
export class ActivationBatcher {
  private readonly queue: Entry[] = [];
  private readonly channels: Keypair[];
  private readonly busy = new Set<number>();
  private ready: Promise<void> | null = null;
  /** Activations waiting or in a batch, by user: a retried activity joins its first attempt instead of queueing twice. */
  private readonly inflight = new Map<string, Promise<WalletRow>>();

  constructor(
    private readonly deps: BatcherDeps,
    channelCount: number,
  ) {
    if (channelCount < 1) throw new Error('wallet activation needs at least one channel account');
    this.channels = channelKeypairs(deps.network.platform, channelCount);
  }

  /** Resolves with the ACTIVE wallet once its account and trustline are on chain; WalletActivationRefused when refused. */
  activate(req: ActivationRequest): Promise<WalletRow> {
    const running = this.inflight.get(req.userId);
    if (running) return running;
    const started = this.start(req).finally(() => this.inflight.delete(req.userId));
    this.inflight.set(req.userId, started);
    return started;
  }

  private async start(req: ActivationRequest): Promise<WalletRow> {
    const wallet = await findWallet(this.deps.db, req.userId);
    if (!wallet) throw new WalletActivationRefused(`user ${req.userId} has no wallet`);
    if (wallet.status === 'ACTIVE') return wallet;
    const user = walletKeypair(this.deps.box, wallet);
    if (req.maybeOnChain && (await this.onChainWithTrustline(user.publicKey())))
      return (await markWalletsActive(this.deps.db, [wallet.userId]))[0]!;
    await this.channelsReady();
    return new Promise<WalletRow>((resolve, reject) => {
      this.queue.push({ wallet, user, alone: false, resolve, reject });
      this.pump();
    });
  }

  private channelsReady(): Promise<void> {
    this.ready ??= ensureChannels(this.deps.pool, this.deps.network, this.channels).catch((err: unknown) => {
      this.ready = null; // tried again by the next request
      throw err;
    });
    return this.ready;
  }

  /** Gives every idle channel a batch while users wait. */
  private pump(): void {
    for (let i = 0; i < this.channels.length && this.queue.length > 0; i++) {
      if (this.busy.has(i)) continue;
      const batch = this.take();
      this.busy.add(i);
      void this.run(i, batch).finally(() => {
        this.busy.delete(i);
        this.pump();
      });
    }
  }

  private take(): Entry[] {
    const alone = this.queue.findIndex((e) => e.alone);
    if (alone >= 0) return this.queue.splice(alone, 1);
    const batch: Entry[] = [];
    for (let i = 0; i < this.queue.length && batch.length < MAX_ACTIVATIONS_PER_TRANSACTION;) {
      if (this.queue[i]!.alone) i++;
      else batch.push(...this.queue.splice(i, 1));
    }
    return batch;
  }

  private async run(channelIndex: number, batch: Entry[]): Promise<void> {
    const channel = this.channels[channelIndex]!;
    const { network } = this.deps;
    try {
      const request: SubmitRequest = {
        key: `wallet-batch:${crypto.randomUUID()}:activate`,
        sourceAccount: channel.publicKey(),
        build: async (source) =>
          buildActivationBatch({
            source,
            channel,
            platform: network.platform,
            users: batch.map((e) => e.user),
            usdc: network.usdc,
            passphrase: network.passphrase,
            fee: await network.fees.perOperation(),
          }),
      };
      const outcome = await submitWithRetries(this.deps.pool, network, request);
      if (outcome.status === 'SUCCEEDED') {
        const rows = await markWalletsActive(
          this.deps.db,
          batch.map((e) => e.wallet.userId),
        );
        const byUser = new Map(rows.map((r) => [r.userId, r]));
        batch.forEach((e) => e.resolve(byUser.get(e.wallet.userId)!));
        return;
      }
      const codes = JSON.stringify(outcome.codes);
      if (batch.length === 1) return await this.refuseAlone(batch[0]!, codes);
      const blamed = new Set(usersToBlame(outcome.codes, batch.length));
      // Nobody's operations to blame (the transaction itself failed): the activities are retried, each looked up first.
      if (blamed.size === 0) return batch.forEach((e) => e.reject(new StellarTransientError(`activation batch failed: ${codes}`)));
      // Sent again: the blamed users alone (refused only if they fail alone too), the others together.
      batch.forEach((e, i) => this.queue.push({ ...e, alone: blamed.has(i) }));
    } catch (err) {
      batch.forEach((e) => e.reject(err instanceof Error ? err : new Error(String(err))));
    }
  }

  /** Failed alone: refused, unless its account is there after all (an earlier batch of its landed unrecorded). */
  private async refuseAlone(entry: Entry, codes: string): Promise<void> {
    if (await this.onChainWithTrustline(entry.user.publicKey())) {
      return entry.resolve((await markWalletsActive(this.deps.db, [entry.wallet.userId]))[0]!);
    }
    entry.reject(new WalletActivationRefused(`activation of ${entry.user.publicKey()} failed: ${codes}`, codes));
  }

  private async onChainWithTrustline(id: string): Promise<boolean> {
    try {
      const account = await this.deps.network.horizon.loadAccount(id);
      const usdc = this.deps.network.usdc;
      return account.balances.some((b) => 'asset_code' in b && b.asset_code === usdc.code && b.asset_issuer === usdc.issuer);
    } catch (err) {
      if (isHorizonNotFound(err)) return false;
      throw new StellarTransientError(`could not look up ${id}: ${(err as Error).message}`);
    }
  }
}

/** Tries of one batch through transient faults, a second apart, before its users' activities are failed (and retried). */
const BATCH_TRIES = 3;

/**
 * submitOnce, again with the same key after a transient fault (a timeout, a 5xx, TRY_AGAIN_LATER): the stored envelope
 * is looked up on chain and resubmitted as it is, so the batch stays whole instead of its users being batched anew.
 */
async function submitWithRetries(pool: Pool, network: StellarNetwork, request: SubmitRequest): Promise<SubmitOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submitOnce(pool, network, request);
    } catch (err) {
      if (!(err instanceof StellarTransientError) || attempt >= BATCH_TRIES) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
