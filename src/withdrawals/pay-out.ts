import { type Account, AccountRequiresMemoError, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { postAnnounced } from '../events/balance-events';
import { finalizeWithdrawal, reverseWithdrawal } from '../ledger';
import { formatAmount, isCurrency } from '../money';
import type { StellarNetwork } from '../stellar/network';
import { submitOnce } from '../stellar/submitter';
import { walletKeypair } from '../wallets/wallets';
import { findWallet } from '../wallets/wallets-repository';
import { toStellarMemo } from './destination';
import { findWithdrawal, setWithdrawalStatus, type WithdrawalRow } from './withdrawals-repository';
import { signTransaction } from '../stellar/sign';

/** The failure code of a withdrawal refused because its destination requires a memo (SEP-29) and it has none. */
export const MEMO_REQUIRED = 'destination_requires_memo';

export interface PayOutDeps {
  db: Db;
  pool: Pool;
  network: StellarNetwork;
  box: SecretBox;
}

/**
 * Pays a committed withdrawal on chain from the user's account (the platform pays the fee with a fee-bump), then
 * settles the ledger: finalised when the payment is in a ledger, reversed to available when Stellar refused it for
 * good (its result code is kept). Safe to call again at any point: the payment is submitted once per withdrawal.
 */
export async function payOutWithdrawal(deps: PayOutDeps, withdrawalId: string): Promise<WithdrawalRow> {
  const w = await findWithdrawal(deps.db, withdrawalId);
  if (!w) throw new Error(`withdrawal ${withdrawalId} does not exist`);
  if (w.status === 'WITHDRAWAL_COMPLETED' || w.status === 'WITHDRAWAL_FAILED') return w;
  if (!isCurrency(w.currency)) throw new Error(`withdrawal ${w.id} has an unknown currency ${w.currency}`);
  const wallet = await findWallet(deps.db, w.userId);
  if (!wallet || wallet.status !== 'ACTIVE') throw new Error(`the wallet of ${w.userId} is not active yet`);
  if (w.status === 'WITHDRAWAL_COMMITTED') await setWithdrawalStatus(deps.db, w.id, 'WITHDRAWAL_PENDING');

  const user = walletKeypair(deps.box, wallet);
  const { platform, usdc, passphrase } = deps.network;
  const ledgerInput = { userId: w.userId, amount: w.amount, currency: w.currency, related: { type: 'withdrawal', id: w.id } };
  const outcome = await submitOnce(deps.pool, deps.network, {
    key: `withdrawal:${w.id}:payment`,
    sourceAccount: user.publicKey(),
    build: async (source: Account) => {
      const fee = await deps.network.fees.perOperation();
      const inner = new TransactionBuilder(source, {
        fee,
        networkPassphrase: passphrase,
        memo: toStellarMemo(w.memoType ? { type: w.memoType as 'text', value: w.memo! } : null),
      })
        .addOperation(Operation.payment({ destination: w.destinationAddress, asset: usdc, amount: formatAmount(w.amount) }))
        .setTimeout(120)
        .build();
      // SEP-29: a destination whose `config.memo_required` data entry is "1" (an exchange's shared account) loses
      // a payment without a memo; the SDK's check throws AccountRequiresMemoError before anything is signed or stored.
      await deps.network.horizon.checkMemoRequired(inner);
      signTransaction(inner, user);
      const bumped = TransactionBuilder.buildFeeBumpTransaction(platform, fee, inner, passphrase);
      signTransaction(bumped, platform);
      return bumped;
    },
  }).catch(async (err: unknown) => {
    if (!(err instanceof AccountRequiresMemoError)) throw err;
    // Final: nothing was submitted (the check runs before the envelope exists), the user's hold goes back.
    await postAnnounced(deps.pool, (tx) =>
      reverseWithdrawal(tx, {
        ...ledgerInput,
        key: `withdrawal:${w.id}:reverse`,
        metadata: { failure_code: MEMO_REQUIRED, destination: err.accountId },
      }),
    );
    return setWithdrawalStatus(deps.db, w.id, 'WITHDRAWAL_FAILED', { failureCode: MEMO_REQUIRED });
  });
  if ('userId' in outcome) return outcome;

  if (outcome.status === 'SUCCEEDED') {
    await postAnnounced(deps.pool, (tx) =>
      finalizeWithdrawal(tx, { ...ledgerInput, key: `withdrawal:${w.id}:finalize`, rail: 'stellar', metadata: { tx_hash: outcome.hash } }),
    );
    return setWithdrawalStatus(deps.db, w.id, 'WITHDRAWAL_COMPLETED', { txHash: outcome.hash });
  }
  await postAnnounced(deps.pool, (tx) =>
    reverseWithdrawal(tx, { ...ledgerInput, key: `withdrawal:${w.id}:reverse`, metadata: { result_codes: outcome.codes } }),
  );
  const failureCode =
    outcome.codes.operations?.find((c) => c !== 'op_success') ?? outcome.codes.inner_transaction ?? outcome.codes.transaction;
  return setWithdrawalStatus(deps.db, w.id, 'WITHDRAWAL_FAILED', {
    txHash: outcome.hash,
    failureCode,
    resultCodes: outcome.codes,
  });
}
