/**
 * The sandbox Trustless Work REST API (v1, single-release escrows) over the sandbox Stellar network. See
 * README.md for the endpoints and what is emulated.
 */
export { startTrustlessWorkSandbox, RESOURCE_FEE, type TrustlessWorkSandbox, type TrustlessWorkSandboxOptions } from './server';
export { ESCROW_WASM_HASH, PROTOCOL_FEE_BPS, sharesOf, type EscrowState, type Milestone, type Roles } from './contract';
