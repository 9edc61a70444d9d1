/** The activation was refused: by the network (its result codes kept) or by us (no wallet); never retried as it is. */
export class WalletActivationRefused extends Error {
  override name = 'WalletActivationRefused';
  /** The network's result codes (JSON) when it refused the transaction; null for a refusal of ours. */
  constructor(
    message: string,
    readonly resultCodes: string | null = null,
  ) {
    super(message);
  }
}
