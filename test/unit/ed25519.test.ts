import { Account, Keypair, Networks, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { ed25519Sign, ed25519Verify } from '../../src/crypto/ed25519';
import { signTransaction } from '../../src/stellar/sign';

const build = (source: Keypair) =>
  new TransactionBuilder(new Account(source.publicKey(), '41'), { fee: '100', networkPassphrase: Networks.TESTNET })
    .addOperation(Operation.bumpSequence({ bumpTo: '99' }))
    .setTimeout(60)
    .build();

test('native signatures are byte for byte the SDK’s (Ed25519 is deterministic)', () => {
  for (let i = 0; i < 20; i++) {
    const a = Keypair.random();
    const b = Keypair.random();
    const ours = build(a);
    const sdk = TransactionBuilder.fromXDR(ours.toXDR(), Networks.TESTNET);
    signTransaction(ours, a, b);
    sdk.sign(a, b);
    expect(ours.toXDR()).toBe(sdk.toXDR());
  }
});

test('verification accepts the signer’s signature and refuses another key, altered data or malformed input', () => {
  const kp = Keypair.random();
  const data = Buffer.from('a transaction hash, 32 bytes....');
  const sig = ed25519Sign(kp.rawSecretKey(), data);
  expect(ed25519Verify(kp.rawPublicKey(), data, sig)).toBe(true);
  expect(kp.verify(data, sig)).toBe(true);
  expect(ed25519Verify(Keypair.random().rawPublicKey(), data, sig)).toBe(false);
  expect(ed25519Verify(kp.rawPublicKey(), Buffer.from('another hash, also 32 bytes.....'), sig)).toBe(false);
  expect(ed25519Verify(kp.rawPublicKey(), data, sig.subarray(0, 63))).toBe(false);
  expect(ed25519Verify(kp.rawPublicKey().subarray(1), data, sig)).toBe(false);
  const flipped = Buffer.from(sig);
  flipped[10] ^= 1;
  expect(ed25519Verify(kp.rawPublicKey(), data, flipped)).toBe(false);
});
