import type { xdr } from '@stellar/stellar-sdk';
import { formatStroops, toBigInt } from '../amounts';
import { muxedFields, readAccountId } from '../accounts';
import { availableBalance, newAccount, startingSequenceNumber } from '../ledger-state';
import { opResult, sponsorshipRefusal } from '../results';
import { createEntryWithPossibleSponsorship } from '../sponsorship';
import type { OperationHandler } from './types';

/** CreateAccountOpFrame (protocol 14+): the new account's reserve is paid by itself or by its sponsor. */
export const createAccount: OperationHandler<xdr.CreateAccountOp> = {
  threshold: () => 'medium',

  checkValid(body, ctx) {
    if (toBigInt(body.startingBalance()) < 0n) return opResult('createAccount', 'createAccountMalformed');
    if (readAccountId(body.destination()) === ctx.source.id) return opResult('createAccount', 'createAccountMalformed');
    return null;
  },

  apply(body, ctx) {
    const { ltx, header } = ctx;
    const destination = readAccountId(body.destination());
    const startingBalance = toBigInt(body.startingBalance());
    if (ltx.account(destination)) return { result: opResult('createAccount', 'createAccountAlreadyExist') };

    const created = createEntryWithPossibleSponsorship(
      ltx,
      newAccount(destination, startingBalance, startingSequenceNumber(header.ledgerSeq), header.ledgerSeq),
    );
    const refused = sponsorshipRefusal(created.result, () => opResult('createAccount', 'createAccountLowReserve'));
    if (refused) return { result: refused };

    const source = ltx.account(ctx.source.id)!;
    if (availableBalance(source) < startingBalance) return { result: opResult('createAccount', 'createAccountUnderfunded') };
    ltx.put({ ...source, balance: source.balance - startingBalance, lastModifiedLedger: header.ledgerSeq });
    ltx.put(created.entry);
    return {
      result: opResult('createAccount', 'createAccountSuccess'),
      recordFields: created.entry.sponsor ? { sponsor: created.entry.sponsor } : undefined,
    };
  },

  describe(body, ctx) {
    const account = readAccountId(body.destination());
    return {
      type: 'create_account',
      typeI: 0,
      fields: {
        starting_balance: formatStroops(toBigInt(body.startingBalance())),
        funder: ctx.source.id,
        ...muxedFields('funder', ctx.source),
        account,
      },
      participants: [ctx.source.id, account],
      isPayment: true,
    };
  },
};
