/**
 * The strings Horizon uses for stellar-core's result codes (Horizon's `codes` package), keyed by the XDR enum
 * names the SDK's `xdr` module uses.
 */

export const TX_CODES = {
  txFeeBumpInnerSuccess: 'tx_fee_bump_inner_success',
  txSuccess: 'tx_success',
  txFailed: 'tx_failed',
  txTooEarly: 'tx_too_early',
  txTooLate: 'tx_too_late',
  txMissingOperation: 'tx_missing_operation',
  txBadSeq: 'tx_bad_seq',
  txBadAuth: 'tx_bad_auth',
  txInsufficientBalance: 'tx_insufficient_balance',
  txNoAccount: 'tx_no_source_account',
  txInsufficientFee: 'tx_insufficient_fee',
  txBadAuthExtra: 'tx_bad_auth_extra',
  txInternalError: 'tx_internal_error',
  txNotSupported: 'tx_not_supported',
  txFeeBumpInnerFailed: 'tx_fee_bump_inner_failed',
  txBadSponsorship: 'tx_bad_sponsorship',
  txBadMinSeqAgeOrGap: 'tx_bad_minseq_age_or_gap',
  txMalformed: 'tx_malformed',
  txSorobanInvalid: 'tx_soroban_invalid',
} as const;

export type TxCode = keyof typeof TX_CODES;

/** Operation-level codes outside an operation's own result (OperationResultCode). */
export const OP_OUTER_CODES = {
  opBadAuth: 'op_bad_auth',
  opNoAccount: 'op_no_source_account',
  opNotSupported: 'op_not_supported',
  opTooManySubentries: 'op_too_many_subentries',
  opExceededWorkLimit: 'op_exceeded_work_limit',
  opTooManySponsoring: 'op_too_many_sponsoring',
} as const;

export type OpOuterCode = keyof typeof OP_OUTER_CODES;

/** Per operation type: the XDR result union, and each of its codes with Horizon's string. */
export const OP_CODES = {
  createAccount: {
    union: 'CreateAccountResult',
    codes: {
      createAccountSuccess: 'op_success',
      createAccountMalformed: 'op_malformed',
      createAccountUnderfunded: 'op_underfunded',
      createAccountLowReserve: 'op_low_reserve',
      createAccountAlreadyExist: 'op_already_exists',
    },
  },
  payment: {
    union: 'PaymentResult',
    codes: {
      paymentSuccess: 'op_success',
      paymentMalformed: 'op_malformed',
      paymentUnderfunded: 'op_underfunded',
      paymentSrcNoTrust: 'op_src_no_trust',
      paymentSrcNotAuthorized: 'op_src_not_authorized',
      paymentNoDestination: 'op_no_destination',
      paymentNoTrust: 'op_no_trust',
      paymentNotAuthorized: 'op_not_authorized',
      paymentLineFull: 'op_line_full',
      paymentNoIssuer: 'op_no_issuer',
    },
  },
  // Horizon's strings for the path payment codes (services/horizon/internal/codes in stellar/go): OFFER_CROSS_SELF is
  // op_cross_self, OVER_SENDMAX op_over_source_max, UNDER_DESTMIN op_under_dest_min.
  pathPaymentStrictReceive: {
    union: 'PathPaymentStrictReceiveResult',
    codes: {
      pathPaymentStrictReceiveSuccess: 'op_success',
      pathPaymentStrictReceiveMalformed: 'op_malformed',
      pathPaymentStrictReceiveUnderfunded: 'op_underfunded',
      pathPaymentStrictReceiveSrcNoTrust: 'op_src_no_trust',
      pathPaymentStrictReceiveSrcNotAuthorized: 'op_src_not_authorized',
      pathPaymentStrictReceiveNoDestination: 'op_no_destination',
      pathPaymentStrictReceiveNoTrust: 'op_no_trust',
      pathPaymentStrictReceiveNotAuthorized: 'op_not_authorized',
      pathPaymentStrictReceiveLineFull: 'op_line_full',
      pathPaymentStrictReceiveNoIssuer: 'op_no_issuer',
      pathPaymentStrictReceiveTooFewOffers: 'op_too_few_offers',
      pathPaymentStrictReceiveOfferCrossSelf: 'op_cross_self',
      pathPaymentStrictReceiveOverSendmax: 'op_over_source_max',
    },
  },
  pathPaymentStrictSend: {
    union: 'PathPaymentStrictSendResult',
    codes: {
      pathPaymentStrictSendSuccess: 'op_success',
      pathPaymentStrictSendMalformed: 'op_malformed',
      pathPaymentStrictSendUnderfunded: 'op_underfunded',
      pathPaymentStrictSendSrcNoTrust: 'op_src_no_trust',
      pathPaymentStrictSendSrcNotAuthorized: 'op_src_not_authorized',
      pathPaymentStrictSendNoDestination: 'op_no_destination',
      pathPaymentStrictSendNoTrust: 'op_no_trust',
      pathPaymentStrictSendNotAuthorized: 'op_not_authorized',
      pathPaymentStrictSendLineFull: 'op_line_full',
      pathPaymentStrictSendNoIssuer: 'op_no_issuer',
      pathPaymentStrictSendTooFewOffers: 'op_too_few_offers',
      pathPaymentStrictSendOfferCrossSelf: 'op_cross_self',
      pathPaymentStrictSendUnderDestmin: 'op_under_dest_min',
    },
  },
  setOptions: {
    union: 'SetOptionsResult',
    codes: {
      setOptionsSuccess: 'op_success',
      setOptionsLowReserve: 'op_low_reserve',
      setOptionsTooManySigners: 'op_too_many_signers',
      setOptionsBadFlags: 'op_bad_flags',
      setOptionsInvalidInflation: 'op_invalid_inflation',
      setOptionsCantChange: 'op_cant_change',
      setOptionsUnknownFlag: 'op_unknown_flag',
      setOptionsThresholdOutOfRange: 'op_threshold_out_of_range',
      setOptionsBadSigner: 'op_bad_signer',
      setOptionsInvalidHomeDomain: 'op_invalid_home_domain',
      setOptionsAuthRevocableRequired: 'op_auth_revocable_required',
    },
  },
  changeTrust: {
    union: 'ChangeTrustResult',
    codes: {
      changeTrustSuccess: 'op_success',
      changeTrustMalformed: 'op_malformed',
      changeTrustNoIssuer: 'op_no_issuer',
      changeTrustInvalidLimit: 'op_invalid_limit',
      changeTrustLowReserve: 'op_low_reserve',
      changeTrustSelfNotAllowed: 'op_self_not_allowed',
      changeTrustTrustLineMissing: 'op_trust_line_missing',
      changeTrustCannotDelete: 'op_cannot_delete',
      changeTrustNotAuthMaintainLiabilities: 'op_not_auth_maintain_liabilities',
    },
  },
  manageData: {
    union: 'ManageDataResult',
    codes: {
      manageDataSuccess: 'op_success',
      manageDataNotSupportedYet: 'op_not_supported_yet',
      manageDataNameNotFound: 'op_data_name_not_found',
      manageDataLowReserve: 'op_low_reserve',
      manageDataInvalidName: 'op_data_invalid_name',
    },
  },
  bumpSequence: {
    union: 'BumpSequenceResult',
    codes: {
      bumpSequenceSuccess: 'op_success',
      bumpSequenceBadSeq: 'op_bad_seq',
    },
  },
  beginSponsoringFutureReserves: {
    union: 'BeginSponsoringFutureReservesResult',
    codes: {
      beginSponsoringFutureReservesSuccess: 'op_success',
      beginSponsoringFutureReservesMalformed: 'op_malformed',
      beginSponsoringFutureReservesAlreadySponsored: 'op_already_sponsored',
      beginSponsoringFutureReservesRecursive: 'op_recursive',
    },
  },
  endSponsoringFutureReserves: {
    union: 'EndSponsoringFutureReservesResult',
    codes: {
      endSponsoringFutureReservesSuccess: 'op_success',
      endSponsoringFutureReservesNotSponsored: 'op_not_sponsored',
    },
  },
  setTrustLineFlags: {
    union: 'SetTrustLineFlagsResult',
    codes: {
      setTrustLineFlagsSuccess: 'op_success',
      setTrustLineFlagsMalformed: 'op_malformed',
      setTrustLineFlagsNoTrustLine: 'op_no_trust',
      setTrustLineFlagsCantRevoke: 'op_cant_revoke',
      setTrustLineFlagsInvalidState: 'op_invalid_state',
      setTrustLineFlagsLowReserve: 'op_low_reserve',
    },
  },
  // Horizon's strings (stellar/go services/horizon/internal/codes) for CreateClaimableBalanceResultCode and
  // ClaimClaimableBalanceResultCode (stellar-core's Stellar-transaction.x).
  createClaimableBalance: {
    union: 'CreateClaimableBalanceResult',
    codes: {
      createClaimableBalanceSuccess: 'op_success',
      createClaimableBalanceMalformed: 'op_malformed',
      createClaimableBalanceLowReserve: 'op_low_reserve',
      createClaimableBalanceNoTrust: 'op_no_trust',
      createClaimableBalanceNotAuthorized: 'op_not_authorized',
      createClaimableBalanceUnderfunded: 'op_underfunded',
    },
  },
  claimClaimableBalance: {
    union: 'ClaimClaimableBalanceResult',
    codes: {
      claimClaimableBalanceSuccess: 'op_success',
      claimClaimableBalanceDoesNotExist: 'op_does_not_exist',
      claimClaimableBalanceCannotClaim: 'op_cannot_claim',
      claimClaimableBalanceLineFull: 'op_line_full',
      claimClaimableBalanceNoTrust: 'op_no_trust',
      claimClaimableBalanceNotAuthorized: 'op_not_authorized',
    },
  },
  invokeHostFunction: {
    union: 'InvokeHostFunctionResult',
    codes: {
      invokeHostFunctionSuccess: 'op_success',
      invokeHostFunctionMalformed: 'op_malformed',
      invokeHostFunctionTrapped: 'function_trapped',
      invokeHostFunctionResourceLimitExceeded: 'resource_limit_exceeded',
      invokeHostFunctionEntryArchived: 'entry_archived',
      invokeHostFunctionInsufficientRefundableFee: 'insufficient_refundable_fee',
    },
  },
} as const;

export type SupportedOpType = keyof typeof OP_CODES;
export type OpCodeOf<T extends SupportedOpType> = keyof (typeof OP_CODES)[T]['codes'];
