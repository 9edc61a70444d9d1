/** Custom search attributes the project registers on its namespace, so operators can filter in the Temporal UI. */
export const SEARCH_ATTRIBUTES = {
  OrderStatus: 'Keyword',
  EscrowStatus: 'Keyword',
  BuyerId: 'Keyword',
  SellerId: 'Keyword',
  UserId: 'Keyword',
  WithdrawalStatus: 'Keyword',
} as const;
