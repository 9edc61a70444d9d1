import type { xdr } from '@stellar/stellar-sdk';
import { readAccountId } from '../accounts';
import {
  AUTH_CLAWBACK_ENABLED_FLAG,
  AUTH_IMMUTABLE_FLAG,
  AUTH_REQUIRED_FLAG,
  AUTH_REVOCABLE_FLAG,
  MASK_ACCOUNT_FLAGS,
  MAX_SIGNERS,
  type Signer,
} from '../ledger-state';
import { opResult, sponsorshipRefusal } from '../results';
import { createSignerWithPossibleSponsorship, removeSignerWithPossibleSponsorship } from '../sponsorship';
import { compareSignerKeys, signerKeyToString } from './signer-keys';
import type { OperationHandler } from './types';

const FLAG_NAMES: Record<number, string> = {
  [AUTH_REQUIRED_FLAG]: 'auth_required_flag',
  [AUTH_REVOCABLE_FLAG]: 'auth_revocable_flag',
  [AUTH_IMMUTABLE_FLAG]: 'auth_immutable_flag',
  [AUTH_CLAWBACK_ENABLED_FLAG]: 'auth_clawback_enabled_flag',
};

function flagList(flags: number | undefined): { ints: number[]; names: string[] } | undefined {
  if (flags === undefined || flags === null) return undefined;
  const ints = [AUTH_REQUIRED_FLAG, AUTH_REVOCABLE_FLAG, AUTH_IMMUTABLE_FLAG, AUTH_CLAWBACK_ENABLED_FLAG].filter((f) => flags & f);
  return { ints, names: ints.map((f) => FLAG_NAMES[f]!) };
}

const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

function homeDomainValid(domain: string): boolean {
  return [...domain].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0x7e);
}

/**
 * SetOptionsOpFrame: inflation destination, flags, home domain, master weight, thresholds and signers (adding a
 * signer takes a reserve, paid by the account or its sponsor).
 */
export const setOptions: OperationHandler<xdr.SetOptionsOp> = {
  threshold(body) {
    return present(body.masterWeight()) ||
      present(body.lowThreshold()) ||
      present(body.medThreshold()) ||
      present(body.highThreshold()) ||
      present(body.signer())
      ? 'high'
      : 'medium';
  },

  checkValid(body, ctx) {
    const setFlags = body.setFlags();
    const clearFlags = body.clearFlags();
    if (present(setFlags) && setFlags & ~MASK_ACCOUNT_FLAGS) return opResult('setOptions', 'setOptionsUnknownFlag');
    if (present(clearFlags) && clearFlags & ~MASK_ACCOUNT_FLAGS) return opResult('setOptions', 'setOptionsUnknownFlag');
    if (present(setFlags) && present(clearFlags) && setFlags & clearFlags) return opResult('setOptions', 'setOptionsBadFlags');
    for (const w of [body.masterWeight(), body.lowThreshold(), body.medThreshold(), body.highThreshold()]) {
      if (present(w) && w > 255) return opResult('setOptions', 'setOptionsThresholdOutOfRange');
    }
    const signer = body.signer();
    if (present(signer)) {
      const key = signerKeyToString(signer.key());
      if (key === ctx.source.id) return opResult('setOptions', 'setOptionsBadSigner');
      if (signer.weight() > 255) return opResult('setOptions', 'setOptionsBadSigner');
    }
    const home = body.homeDomain();
    if (present(home) && !homeDomainValid(String(home))) return opResult('setOptions', 'setOptionsInvalidHomeDomain');
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    let acc = ltx.account(ctx.source.id)!;

    const inflationDest = body.inflationDest();
    if (present(inflationDest)) {
      const dest = readAccountId(inflationDest);
      if (!ltx.account(dest)) return { result: opResult('setOptions', 'setOptionsInvalidInflation') };
      acc = { ...acc, inflationDest: dest };
    }
    const clearFlags = body.clearFlags();
    if (present(clearFlags)) {
      if (acc.flags & AUTH_IMMUTABLE_FLAG) return { result: opResult('setOptions', 'setOptionsCantChange') };
      acc = { ...acc, flags: acc.flags & ~clearFlags };
    }
    const setFlags = body.setFlags();
    if (present(setFlags)) {
      if (acc.flags & AUTH_IMMUTABLE_FLAG) return { result: opResult('setOptions', 'setOptionsCantChange') };
      acc = { ...acc, flags: acc.flags | setFlags };
    }
    if (acc.flags & AUTH_CLAWBACK_ENABLED_FLAG && !(acc.flags & AUTH_REVOCABLE_FLAG)) {
      return { result: opResult('setOptions', 'setOptionsAuthRevocableRequired') };
    }
    const home = body.homeDomain();
    if (present(home)) acc = { ...acc, homeDomain: String(home) };
    const thresholds = [...acc.thresholds] as typeof acc.thresholds;
    const weights = [body.masterWeight(), body.lowThreshold(), body.medThreshold(), body.highThreshold()];
    weights.forEach((w, i) => {
      if (present(w)) thresholds[i] = w;
    });
    acc = { ...acc, thresholds, lastModifiedLedger: header.ledgerSeq };
    ltx.put(acc);

    const signer = body.signer();
    if (present(signer)) {
      const key = signerKeyToString(signer.key());
      const weight = signer.weight();
      const at = acc.signers.findIndex((s) => s.key === key);
      if (weight > 0) {
        if (at >= 0) {
          const signers = acc.signers.map((s, i) => (i === at ? { ...s, weight } : s));
          ltx.put({ ...acc, signers });
        } else {
          if (acc.signers.length >= MAX_SIGNERS) return { result: opResult('setOptions', 'setOptionsTooManySigners') };
          const created = createSignerWithPossibleSponsorship(ltx, acc.accountId);
          const refused = sponsorshipRefusal(created.result, () => opResult('setOptions', 'setOptionsLowReserve'));
          if (refused) return { result: refused };
          const fresh = ltx.account(acc.accountId)!;
          const added: Signer = created.sponsor ? { key, weight, sponsor: created.sponsor } : { key, weight };
          const signers = [...fresh.signers, added].sort((a, b) => compareSignerKeys(a.key, b.key));
          ltx.put({ ...fresh, signers });
        }
      } else if (at >= 0) {
        const removed = acc.signers[at]!;
        removeSignerWithPossibleSponsorship(ltx, acc.accountId, removed.sponsor);
        const fresh = ltx.account(acc.accountId)!;
        ltx.put({ ...fresh, signers: fresh.signers.filter((s) => s.key !== key) });
      }
    }
    return { result: opResult('setOptions', 'setOptionsSuccess') };
  },

  describe(body, ctx) {
    const fields: Record<string, unknown> = {};
    const home = body.homeDomain();
    if (present(home)) fields.home_domain = String(home);
    const inflationDest = body.inflationDest();
    if (present(inflationDest)) fields.inflation_dest = readAccountId(inflationDest);
    if (present(body.masterWeight())) fields.master_key_weight = body.masterWeight();
    if (present(body.lowThreshold())) fields.low_threshold = body.lowThreshold();
    if (present(body.medThreshold())) fields.med_threshold = body.medThreshold();
    if (present(body.highThreshold())) fields.high_threshold = body.highThreshold();
    const signer = body.signer();
    if (present(signer)) {
      fields.signer_key = signerKeyToString(signer.key());
      fields.signer_weight = signer.weight();
    }
    const set = flagList(body.setFlags() ?? undefined);
    if (set) {
      fields.set_flags = set.ints;
      fields.set_flags_s = set.names;
    }
    const clear = flagList(body.clearFlags() ?? undefined);
    if (clear) {
      fields.clear_flags = clear.ints;
      fields.clear_flags_s = clear.names;
    }
    return { type: 'set_options', typeI: 5, fields, participants: [ctx.source.id], isPayment: false };
  },
};
