import { type Account, type FeeBumpTransaction, type Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { formatAmount } from '../money';
import type { StellarNetwork } from './network';
import { signTransaction } from './sign';

/**
 * One USDC payment of `amount` (minor units) from `source` to `destination`, signed by `signer` (the source account's
 * key) and fee-bumped by the platform at the policy's bid: the account holds no lumen, the platform pays the fee. What
 * the treasury's top-up deliveries and the payout sweeps to the treasury submit.
 */
export async function platformBumpedPayment(
  network: StellarNetwork,
  source: Account,
  signer: Keypair,
  payment: { destination: string; amount: bigint },
): Promise<FeeBumpTransaction> {
  const { platform, usdc, passphrase } = network;
  const fee = await network.fees.perOperation();
  const inner = new TransactionBuilder(source, { fee, networkPassphrase: passphrase })
    .addOperation(Operation.payment({ destination: payment.destination, asset: usdc, amount: formatAmount(payment.amount) }))
    .setTimeout(120)
    .build();
  signTransaction(inner, signer);
  const bumped = TransactionBuilder.buildFeeBumpTransaction(platform, fee, inner, passphrase);
  signTransaction(bumped, platform);
  return bumped;
}
