import { Keypair } from '@stellar/stellar-sdk';
import { escrowDiffers } from '../../src/providers/trustless-work/escrow-view';

/**
 * src/providers/trustless-work/escrow-view.ts: the after-deploy check compares the indexer's escrow (docs
 * escrow-react-sdk/indexer/usegetescrowfromindexerbycontractids; roles singular per the v2 OpenAPI description,
 * pluralised per the rendered v2 deploy page) with the order's, stroop for stroop.
 */
const [buyer, seller, platform] = [Keypair.random(), Keypair.random(), Keypair.random()].map((k) => k.publicKey()) as [
  string,
  string,
  string,
];
const token = 'CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC';
const roles = {
  approver: buyer,
  releaseSigner: buyer,
  serviceProvider: seller,
  receiver: seller,
  platformAddress: platform,
  disputeResolver: platform,
};
const ours = { roles, amount: 10_000_001n, platformFeeBps: 250n, trustline: token };
const view = { contractId: 'C', roles: { ...roles }, amount: 1.0000001, platformFee: 2.5, balance: 0, trustline: { address: token } };

test('the escrow as we asked for it (numbers, or decimal strings, singular or one-element plural roles) differs in nothing', () => {
  expect(escrowDiffers(view, ours)).toBeNull();
  expect(escrowDiffers({ ...view, amount: '1.0000001', platformFee: '2.50' }, ours)).toBeNull();
  const plural = {
    approvers: [buyer],
    releaseSigners: [buyer],
    serviceProviders: [seller],
    receivers: [seller],
    platformAddress: platform,
    disputeResolvers: [platform],
  };
  expect(escrowDiffers({ ...view, roles: plural }, ours)).toBeNull();
});

test('one stroop, one basis point, one role or another token is a difference, named', () => {
  expect(escrowDiffers({ ...view, amount: 1.0000002 }, ours)).toBe('amount');
  expect(escrowDiffers({ ...view, amount: 1.00000011 }, ours)).toBe('amount');
  expect(escrowDiffers({ ...view, platformFee: 2.51 }, ours)).toBe('platform fee');
  expect(escrowDiffers({ ...view, roles: { ...roles, receiver: buyer } }, ours)).toBe('roles.receiver');
  expect(escrowDiffers({ ...view, roles: { ...roles, approver: undefined, approvers: [buyer, seller] } }, ours)).toBe('roles.approver');
  expect(escrowDiffers({ ...view, trustline: { address: platform } }, ours)).toBe('trustline');
  expect(escrowDiffers(undefined, ours)).toBe('roles.approver');
});
