import { Account, Asset, type Keypair, Operation, StrKey, TransactionBuilder } from '@stellar/stellar-sdk';
import { formatStroops, parseAmount } from './amounts';
import { problems } from './horizon-json';
import type { SandboxNetwork, SubmitResult } from './network';
import { answerSubmission, type HttpAnswer } from './submission';

/** Lumens friendbot gives, as on testnet. */
export const FRIENDBOT_STARTING_BALANCE = '10000';

/**
 * Friendbot (XLM) and the USDC faucet. Both send real sandbox transactions, signed by the root account and by the
 * USDC issuer, through the same submission path as any client, and answer like Horizon does for a submission.
 */
export class Faucets {
  constructor(
    private readonly network: SandboxNetwork,
    private readonly usdcIssuer: Keypair,
    private readonly baseUrl: () => string,
  ) {}

  get usdc(): Asset {
    return new Asset('USDC', this.usdcIssuer.publicKey());
  }

  /**
   * Builds, signs and submits a transaction from `signer`'s account with the sequence number it has now, once the
   * account has no transaction in the ledger being built (one per source account and ledger, as stellar-core queues
   * them: concurrent faucet requests go into successive ledgers, as friendbot's own submissions do).
   */
  async submitFrom(signer: Keypair, build: (b: TransactionBuilder) => TransactionBuilder): Promise<SubmitResult> {
    while (this.network.hasPendingFrom(signer.publicKey())) await this.network.nextClose();
    const acc = this.network.openLedger.account(signer.publicKey());
    if (!acc) throw new Error(`faucet account ${signer.publicKey()} does not exist`);
    const builder = new TransactionBuilder(new Account(signer.publicKey(), acc.seqNum.toString()), {
      fee: '100',
      networkPassphrase: this.network.networkPassphrase,
    });
    const tx = build(builder).setTimeout(300).build();
    tx.sign(signer);
    return this.network.submit(tx.toXDR());
  }

  /** GET /friendbot?addr=G...: creates the account with 10,000 XLM; refuses an address that already exists. */
  async friendbot(addr: string | null): Promise<HttpAnswer> {
    if (!addr || !StrKey.isValidEd25519PublicKey(addr)) {
      return { status: 400, body: problems.badRequest('addr', addr ? 'base32 decode failed: invalid account id' : 'addr is required') };
    }
    if (this.network.accountExists(addr)) {
      return { status: 400, body: problems.badRequest('addr', 'account already funded to starting balance') };
    }
    const result = await this.submitFrom(this.network.root, (b) =>
      b.addOperation(Operation.createAccount({ destination: addr, startingBalance: FRIENDBOT_STARTING_BALANCE })),
    );
    return answerSubmission(result, this.baseUrl());
  }

  /** POST /faucet/usdc {address, amount}: a payment from the USDC issuer (the destination needs a trustline). */
  async usdcFaucet(body: unknown): Promise<HttpAnswer> {
    const input = (body && typeof body === 'object' ? body : {}) as { address?: unknown; amount?: unknown };
    const address = input.address;
    if (typeof address !== 'string' || !(StrKey.isValidEd25519PublicKey(address) || StrKey.isValidMed25519PublicKey(address))) {
      return { status: 400, body: problems.badRequest('address', 'address must be a Stellar account id (G...) or muxed account (M...)') };
    }
    const text = typeof input.amount === 'number' && Number.isFinite(input.amount) ? String(input.amount) : input.amount;
    const stroops = typeof text === 'string' ? parseAmount(text) : null;
    if (stroops === null || stroops <= 0n) {
      return { status: 400, body: problems.badRequest('amount', 'amount must be a positive decimal with at most 7 decimal places') };
    }
    const result = await this.submitFrom(this.usdcIssuer, (b) =>
      b.addOperation(Operation.payment({ destination: address, asset: this.usdc, amount: formatStroops(stroops) })),
    );
    return answerSubmission(result, this.baseUrl());
  }
}
