import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';

/**
 * The custom search attributes, written once: workflows set them through these typed keys, and the dev server and
 * docker-compose register `SEARCH_ATTRIBUTES` (derived below) so operators can filter by them in the Temporal UI.
 * Plain data over `@temporalio/common`: safe inside the workflow bundle.
 */
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const EscrowStatusKey = defineSearchAttributeKey('EscrowStatus', SearchAttributeType.KEYWORD);
export const BuyerIdKey = defineSearchAttributeKey('BuyerId', SearchAttributeType.KEYWORD);
export const SellerIdKey = defineSearchAttributeKey('SellerId', SearchAttributeType.KEYWORD);
export const UserIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const WithdrawalStatusKey = defineSearchAttributeKey('WithdrawalStatus', SearchAttributeType.KEYWORD);
export const TopupStatusKey = defineSearchAttributeKey('TopupStatus', SearchAttributeType.KEYWORD);
/** An on-ramp order's status (document 003: SESSION_CREATED … FULFILLED, EXPIRED, CANCELLED, FAILED). */
export const OnrampStatusKey = defineSearchAttributeKey('OnrampStatus', SearchAttributeType.KEYWORD);

const KEYS: SearchAttributeKey<SearchAttributeType>[] = [
  OrderStatusKey,
  EscrowStatusKey,
  BuyerIdKey,
  SellerIdKey,
  UserIdKey,
  WithdrawalStatusKey,
  TopupStatusKey,
  OnrampStatusKey,
];

/** The names the Temporal CLI and server use for each type (`--search-attribute Name=Type`). */
const TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** Name → type of every custom search attribute, as the namespace registers them. */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(KEYS.map((k) => [k.name, TYPE_NAMES[k.type]]));
