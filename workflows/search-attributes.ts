import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed keys of the custom search attributes (registered by name in src/temporal/search-attributes.ts). */
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const EscrowStatusKey = defineSearchAttributeKey('EscrowStatus', SearchAttributeType.KEYWORD);
export const BuyerIdKey = defineSearchAttributeKey('BuyerId', SearchAttributeType.KEYWORD);
export const SellerIdKey = defineSearchAttributeKey('SellerId', SearchAttributeType.KEYWORD);
