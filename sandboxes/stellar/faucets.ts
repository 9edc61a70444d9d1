import crypto from 'node:crypto';
import { Account, Asset, Keypair, Operation, StrKey, TransactionBuilder } from '@stellar/stellar-sdk';
import { formatStroops, parseAmount } from './amounts';
import { problems } from './horizon-json';
import type { SandboxNetwork, SubmitResult } from './network';
import { answerSubmission, type HttpAnswer } from './submission';

/** Lumens friendbot gives, as on testnet. */
export const FRIENDBOT_STARTING_BALANCE = '10000';
/**
 * Channel accounts ("minions") the faucets submit through, as friendbot does (stellar/go services/friendbot/internal
 * minion.go: each transaction's source is a minion, its operation's source the bot's account, signed by both), so that
 * concurrent requests are not one per ledger: each minion has a sequence of its own, and a ledger takes one
 * transaction per source account.
 */
export const FAUCET_MINIONS = 10;
const MINION_STARTING_BALANCE = '1000';

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
   * them: concurrent requests from one account go into successive ledgers).
   */
  async submitFrom(signer: Keypair, build: (b: TransactionBuilder) => TransactionBuilder): Promise<SubmitResult> {
    while (this.network.hasPendingFrom(signer.publicKey())) await this.network.nextClose();
    return this.submitSigned(signer, [signer], build);
  }

  /** The minions' keys: derived from the USDC issuer's (the sandbox's one kept secret), so a restored sandbox has them. */
  get minions(): Keypair[] {
    return (this.minionKeys ??= Array.from({ length: FAUCET_MINIONS }, (_, i) =>
      Keypair.fromRawEd25519Seed(crypto.createHash('sha256').update(`${this.usdcIssuer.secret()}:faucet-minion:${i}`).digest()),
    ));
  }
  private minionKeys: Keypair[] | undefined;
  private nextMinion = 0;

  /** Creates the minions that do not exist yet, in one transaction from the root account (null: none missing). */
  createMinions(): Promise<SubmitResult> | null {
    const missing = this.minions.filter((m) => !this.network.accountExists(m.publicKey()));
    if (missing.length === 0) return null;
    return this.submitFrom(this.network.root, (b) =>
      missing.reduce(
        (acc, m) => acc.addOperation(Operation.createAccount({ destination: m.publicKey(), startingBalance: MINION_STARTING_BALANCE })),
        b,
      ),
    );
  }

  /**
   * Friendbot's way: the transaction's source is the next minion with nothing in the ledger being built (waiting for a
   * close when every one has), the operations' source `payer`, signed by both.
   */
  private async submitThroughMinion(payer: Keypair, build: (b: TransactionBuilder) => TransactionBuilder): Promise<SubmitResult> {
    const ready = this.minions.filter((m) => this.network.accountExists(m.publicKey()));
    if (ready.length === 0) return this.submitFrom(payer, build);
    for (;;) {
      for (let tried = 0; tried < ready.length; tried++) {
        const minion = ready[this.nextMinion++ % ready.length]!;
        if (!this.network.hasPendingFrom(minion.publicKey())) return this.submitSigned(minion, [minion, payer], build);
      }
      await this.network.nextClose();
    }
  }

  private submitSigned(source: Keypair, signers: Keypair[], build: (b: TransactionBuilder) => TransactionBuilder): Promise<SubmitResult> {
    const acc = this.network.openLedger.account(source.publicKey());
    if (!acc) throw new Error(`faucet account ${source.publicKey()} does not exist`);
    const builder = new TransactionBuilder(new Account(source.publicKey(), acc.seqNum.toString()), {
      fee: '100',
      networkPassphrase: this.network.networkPassphrase,
    });
    const tx = build(builder).setTimeout(300).build();
    for (const k of signers) tx.sign(k);
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
    const root = this.network.root;
    const result = await this.submitThroughMinion(root, (b) =>
      b.addOperation(Operation.createAccount({ destination: addr, startingBalance: FRIENDBOT_STARTING_BALANCE, source: root.publicKey() })),
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
    const issuer = this.usdcIssuer;
    const result = await this.submitThroughMinion(issuer, (b) =>
      b.addOperation(
        Operation.payment({ destination: address, asset: this.usdc, amount: formatStroops(stroops), source: issuer.publicKey() }),
      ),
    );
    return answerSubmission(result, this.baseUrl());
  }
}
