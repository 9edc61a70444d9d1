import { StrKey, encodeMuxedAccountToAddress, type xdr } from '@stellar/stellar-sdk';
import type { AccountRef } from './operations/types';

/** An XDR MuxedAccount as the G address it spends from, plus its M address and id when muxed. */
export function readMuxed(account: xdr.MuxedAccount): AccountRef {
  if (account.switch().name === 'keyTypeMuxedEd25519') {
    const med = account.med25519();
    return {
      id: StrKey.encodeEd25519PublicKey(med.ed25519()),
      muxed: encodeMuxedAccountToAddress(account, true),
      muxedId: med.id().toString(),
    };
  }
  return { id: StrKey.encodeEd25519PublicKey(account.ed25519()) };
}

export function readAccountId(id: xdr.AccountId): string {
  return StrKey.encodeEd25519PublicKey(id.ed25519());
}

/** Horizon's muxed companions of an account field: `<name>_muxed` and `<name>_muxed_id` when muxed. */
export function muxedFields(name: string, ref: AccountRef): Record<string, string> {
  if (!ref.muxed) return {};
  return { [`${name}_muxed`]: ref.muxed, [`${name}_muxed_id`]: ref.muxedId! };
}
