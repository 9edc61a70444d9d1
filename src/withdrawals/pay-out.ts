import { type Account, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import type { Pool } from 'pg';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/client';
import { finalizeWithdrawal, reverseWithdrawal } from '../ledger';
import { formatAmount, isCurrency } from '../money';
import type { StellarNetwork } from '../stellar/network';
import { submitOnce } from '../stellar/submitter';
import { walletKeypair } from '../wallets/wallets';
import { findWallet } from '../wallets/wallets-repository';
import { toStellarMemo } from './destination';
import { findWithdrawal, setWithdrawalStatus, type WithdrawalRow } from './withdrawals-repository';
import { signTransaction } from '../stellar/sign';

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
  if (w.status === 'WITHDRAWAL_COMMITTED') await setWithdrawalStatus(deps.pool, deps.db, w.id, 'WITHDRAWAL_PENDING');

  const user = walletKeypair(deps.box, wallet);
  const { platform, usdc, passphrase } = deps.network;
  const outcome = await submitOnce(deps.pool, deps.network, {
    key: `withdrawal:${w.id}:payment`,
    sourceAccount: user.publicKey(),
    build: (source: Account) => {
      const inner = new TransactionBuilder(source, {
        fee: '100',
        networkPassphrase: passphrase,
        memo: toStellarMemo(w.memoType ? { type: w.memoType as 'text', value: w.memo! } : null),
      })
        .addOperation(Operation.payment({ destination: w.destinationAddress, asset: usdc, amount: formatAmount(w.amount) }))
        .setTimeout(120)
        .build();
      signTransaction(inner, user);
      const bumped = TransactionBuilder.buildFeeBumpTransaction(platform, '100', inner, passphrase);
      signTransaction(bumped, platform);
      return bumped;
    },
  });

  const ledgerInput = { userId: w.userId, amount: w.amount, currency: w.currency, related: { type: 'withdrawal', id: w.id } };
  if (outcome.status === 'SUCCEEDED') {
    await finalizeWithdrawal(deps.pool, {
      ...ledgerInput,
      key: `withdrawal:${w.id}:finalize`,
      rail: 'stellar',
      metadata: { tx_hash: outcome.hash },
    });
    return setWithdrawalStatus(deps.pool, deps.db, w.id, 'WITHDRAWAL_COMPLETED', { txHash: outcome.hash });
  }
  await reverseWithdrawal(deps.pool, { ...ledgerInput, key: `withdrawal:${w.id}:reverse`, metadata: { result_codes: outcome.codes } });
  const failureCode =
    outcome.codes.operations?.find((c) => c !== 'op_success') ?? outcome.codes.inner_transaction ?? outcome.codes.transaction;
  return setWithdrawalStatus(deps.pool, deps.db, w.id, 'WITHDRAWAL_FAILED', {
    txHash: outcome.hash,
    failureCode,
    resultCodes: outcome.codes,
  });
}
