import type { xdr } from '@stellar/stellar-sdk';
import { readAccountId } from '../accounts';
import { assetFields, readAsset } from '../assets';
import {
  AUTHORIZED_FLAG,
  AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG,
  AUTH_REVOCABLE_FLAG,
  TRUSTLINE_CLAWBACK_ENABLED_FLAG,
} from '../ledger-state';
import { opResult } from '../results';
import type { OperationHandler } from './types';

const MASK_TRUSTLINE_FLAGS = AUTHORIZED_FLAG | AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG | TRUSTLINE_CLAWBACK_ENABLED_FLAG;
const AUTH_FLAGS = AUTHORIZED_FLAG | AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG;
const FLAG_NAMES: Record<number, string> = {
  [AUTHORIZED_FLAG]: 'authorized',
  [AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG]: 'authorized_to_maintain_liabilites',
  [TRUSTLINE_CLAWBACK_ENABLED_FLAG]: 'clawback_enabled',
};

function flagFields(prefix: string, flags: number): Record<string, unknown> {
  const ints = [AUTHORIZED_FLAG, AUTHORIZED_TO_MAINTAIN_LIABILITIES_FLAG, TRUSTLINE_CLAWBACK_ENABLED_FLAG].filter((f) => flags & f);
  return ints.length ? { [`${prefix}_flags`]: ints, [`${prefix}_flags_s`]: ints.map((f) => FLAG_NAMES[f]) } : {};
}

/** SetTrustLineFlagsOpFrame: an issuer authorizes or revokes a trustline to its asset (no offers to remove here). */
export const setTrustLineFlags: OperationHandler<xdr.SetTrustLineFlagsOp> = {
  threshold: () => 'low',

  checkValid(body, ctx) {
    const read = readAsset(body.asset());
    const malformed = opResult('setTrustLineFlags', 'setTrustLineFlagsMalformed');
    if ('poolShare' in read || read.asset.type === 'native' || !read.valid) return malformed;
    if (read.asset.issuer !== ctx.source.id) return malformed;
    if (readAccountId(body.trustor()) === ctx.source.id) return malformed;
    const set = body.setFlags();
    const clear = body.clearFlags();
    if (set & clear) return malformed;
    if ((set | clear) & ~MASK_TRUSTLINE_FLAGS) return malformed;
    if (set & TRUSTLINE_CLAWBACK_ENABLED_FLAG) return malformed;
    if ((set & AUTH_FLAGS) === AUTH_FLAGS) return malformed;
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const read = readAsset(body.asset());
    if ('poolShare' in read || read.asset.type === 'native') throw new Error('unreachable');
    const asset = { code: read.asset.code, issuer: read.asset.issuer };
    const line = ltx.trustline(readAccountId(body.trustor()), asset);
    if (!line) return { result: opResult('setTrustLineFlags', 'setTrustLineFlagsNoTrustLine') };
    const next = (line.flags & ~body.clearFlags()) | body.setFlags();
    const before = line.flags & AUTH_FLAGS;
    const after = next & AUTH_FLAGS;
    const revoking = (before & AUTHORIZED_FLAG && !(after & AUTHORIZED_FLAG)) || (before !== 0 && after === 0);
    if (revoking && !(ltx.account(ctx.source.id)!.flags & AUTH_REVOCABLE_FLAG)) {
      return { result: opResult('setTrustLineFlags', 'setTrustLineFlagsCantRevoke') };
    }
    if ((next & AUTH_FLAGS) === AUTH_FLAGS) return { result: opResult('setTrustLineFlags', 'setTrustLineFlagsInvalidState') };
    ltx.put({ ...line, flags: next, lastModifiedLedger: header.ledgerSeq });
    return { result: opResult('setTrustLineFlags', 'setTrustLineFlagsSuccess') };
  },

  describe(body, ctx) {
    const read = readAsset(body.asset());
    const trustor = readAccountId(body.trustor());
    return {
      type: 'set_trust_line_flags',
      typeI: 21,
      fields: {
        ...('poolShare' in read ? {} : assetFields(read.asset)),
        trustor,
        ...flagFields('set', body.setFlags()),
        ...flagFields('clear', body.clearFlags()),
      },
      participants: [ctx.source.id, trustor],
      isPayment: false,
    };
  },
};
