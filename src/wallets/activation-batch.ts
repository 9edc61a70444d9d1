import { type Account, type Asset, type FeeBumpTransaction, type Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { ResultCodes } from '../stellar/horizon-errors';
import { signTransaction } from '../stellar/sign';

/** begin_sponsoring + create_account + change_trust(USDC) + end_sponsoring. */
export const OPS_PER_ACTIVATION = 4;
/**
 * A transaction carries at most 20 signatures (stellar-core's MAX_SIGNATURES_PER_ENVELOPE) and 100 operations: the
 * channel and the platform sign, and each new account (its trustline and the end of its sponsorship): 18 users, 72 ops.
 */
export const MAX_ACTIVATIONS_PER_TRANSACTION = 18;

export interface BatchInput {
  /** The channel account whose sequence number the transaction uses. */
  source: Account;
  channel: Keypair;
  platform: Keypair;
  users: Keypair[];
  usdc: Asset;
  passphrase: string;
  /** Stroops per operation. */
  fee: string;
}

/**
 * One transaction activating every user of the batch: each account created with every reserve sponsored by the
 * platform and a USDC trustline, the channel's sequence number, the platform paying the fee through a fee bump.
 */
export function buildActivationBatch(input: BatchInput): FeeBumpTransaction {
  const { platform, passphrase, fee } = input;
  if (input.users.length === 0 || input.users.length > MAX_ACTIVATIONS_PER_TRANSACTION) {
    throw new Error(`an activation batch holds 1 to ${MAX_ACTIVATIONS_PER_TRANSACTION} users, not ${input.users.length}`);
  }
  const builder = new TransactionBuilder(input.source, { fee, networkPassphrase: passphrase });
  for (const user of input.users) {
    builder
      .addOperation(Operation.beginSponsoringFutureReserves({ sponsoredId: user.publicKey(), source: platform.publicKey() }))
      .addOperation(Operation.createAccount({ destination: user.publicKey(), startingBalance: '0' }))
      .addOperation(Operation.changeTrust({ asset: input.usdc, source: user.publicKey() }))
      .addOperation(Operation.endSponsoringFutureReserves({ source: user.publicKey() }));
  }
  const inner = builder.setTimeout(120).build();
  signTransaction(inner, input.channel, platform, ...input.users);
  const bumped = TransactionBuilder.buildFeeBumpTransaction(platform, fee, inner, passphrase);
  signTransaction(bumped, platform);
  return bumped;
}

/**
 * The users of a failed batch whose own operations failed (stellar-core fails the whole transaction for one failed
 * operation, and reports each operation's code): indexes into the batch. Empty when no operation is to blame.
 */
export function usersToBlame(codes: ResultCodes, batchSize: number): number[] {
  const ops = codes.operations ?? [];
  const blamed = new Set<number>();
  ops.forEach((code, i) => {
    if (code !== 'op_success' && i < batchSize * OPS_PER_ACTIVATION) blamed.add(Math.floor(i / OPS_PER_ACTIVATION));
  });
  return [...blamed].sort((a, b) => a - b);
}
