/** The balance ledger: one function per movement, reads for balances and history, and the invariant check. */
export { credit, CREDIT_SOURCES } from './credit';
export type { CreditInput, CreditKind } from './credit';
export { reserve, releaseReservation } from './reservations';
export type { ReservationInput } from './reservations';
export { moveToEscrow, settleEscrow, refundEscrow, splitEscrow } from './escrow';
export type { MoveToEscrowInput, SettleEscrowInput, RefundEscrowInput, SplitEscrowInput } from './escrow';
export { holdForWithdrawal, finalizeWithdrawal, reverseWithdrawal, WITHDRAWAL_RAILS } from './withdrawals';
export type { WithdrawalInput, FinalizeWithdrawalInput, WithdrawalRail } from './withdrawals';
export { getBalances, getSystemBalances, getTransactions, userBucketTotal } from './balances';
export type { Balance, TransactionLine, TransactionPage } from './balances';
export { findEntry } from './entries';
export { postEntry } from './post-entry';
export type { EntrySpec, Leg } from './post-entry';
export { verifyLedger } from './verify';
export type { Breach, BreachKind, VerifyReport } from './verify';
export * from './types';
export { retryCounts } from './retry';
export { batchStats } from './batch';
