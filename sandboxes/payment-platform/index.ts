/**
 * The sandbox payment platform and Reclaim witness: records fiat payments people or tests declare and proves them
 * in Reclaim's proof format, signed by a sandbox witness key. See README.md.
 */
export {
  startPaymentPlatformSandbox,
  PAYMENT_PLATFORM_SANDBOX_PORT,
  DEV_WITNESS_PRIVATE_KEY,
  type PaymentPlatformSandbox,
  type PaymentPlatformSandboxOptions,
} from './server';
export { signClaim, witnessAddress, claimIdentifierOf, type ReclaimProofJson } from './witness';
