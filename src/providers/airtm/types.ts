/**
 * Airtm Enterprise API V2 (v1.87.0) shapes, as its OpenAPI document types them (docs/airtm.md gives each JSON path).
 * Amounts are JSON numbers on the wire; the client hands them out as bigint stroops (amounts.ts).
 */

/** #/components/schemas/PayinStatus/enum. Final: CONFIRMED, CANCELED, FAILED (FAQ "Payin Statuses") and the BRIDGE_ ones. */
export const PAYIN_STATUSES = ['CREATED', 'CONFIRMED', 'CANCELED', 'PROCESSING', 'FAILED', 'BRIDGE_FAILED', 'BRIDGE_CANCELED'] as const;
export type PayinStatus = (typeof PAYIN_STATUSES)[number];

/** #/components/schemas/PayoutStatus/enum (the FAQ table names six of them; the enum has eighteen). */
export const PAYOUT_STATUSES = [
  'BRIDGE_COMPLETED',
  'BRIDGE_CREATED',
  'BRIDGE_FAILED',
  'BRIDGE_MAX_RETRIES_REACHED',
  'BRIDGE_USER_SIGNUP_PENDING',
  'CANCELED',
  'CANCEL_REQUESTED',
  'COMMITTED',
  'COMPLETED',
  'COSMOEM_COMPLETED',
  'CREATED',
  'ERROR',
  'FAILED',
  'PENDING',
  'PENDING_SIGNATURE',
  'SIGNED',
  'PENDING_USER_ACTION',
  'PROCESSING',
] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** #/components/schemas/UserStatus/enum (lower case, unlike the operation statuses). */
export type UserStatus = 'active' | 'inactive';

/** #/components/schemas/PayinItem (response side). */
export interface PayinItem {
  id: string;
  payinId: string;
  description: string;
  amount: bigint;
  quantity: number;
}

/** #/components/schemas/PayinResponse, amounts in stroops. */
export interface Payin {
  id: string;
  code: string;
  hash?: string;
  status: PayinStatus;
  amount: bigint;
  netAmount: bigint;
  airtmFee: bigint;
  description: string;
  items: PayinItem[];
  airtmUserId?: string;
  airtmUserEmail?: string;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  confirmationUri: string;
  cancelUri: string;
}

/** #/components/schemas/PayoutResponse, amounts in stroops. */
export interface Payout {
  id: string;
  bulkPayoutId?: string;
  hash?: string;
  code?: string;
  airtmUserId: string;
  airtmUserEmail: string;
  requireIdVerified?: boolean;
  notes?: string;
  internalNote?: string;
  status: PayoutStatus;
  grossAmount: bigint;
  amount: bigint;
  netAmount: bigint;
  airtmFee?: bigint;
  enterpriseFee?: bigint;
  /** `type: string` with `example: 522443` (a number) in the spec: read as a string whatever comes. */
  reasonCode?: string;
  reasonDescription?: string;
  createdAt: string;
  updatedAt: string;
}

/** #/components/schemas/User. */
export interface AirtmUser {
  id: string;
  status: UserStatus;
  primaryEmail: boolean;
  isVerified: boolean;
  firstName?: string;
  lastName?: string;
  country?: string;
}

/** #/components/schemas/CreatePayinRequest, amounts in stroops (whole cents). */
export interface CreatePayinInput {
  code: string;
  amount: bigint;
  /** "maximum: 250" in the spec (meant as a length). */
  description: string;
  items: Array<{ description: string; amount: bigint; quantity: number }>;
  confirmationUri: string;
  cancelUri: string;
}

/** #/components/schemas/CreatePayoutRequest, amounts in stroops (whole cents). */
export interface CreatePayoutInput {
  airtmUserEmail: string;
  amount: bigint;
  notes: string;
  code?: string;
  commit?: boolean;
  internalNote?: string;
  requireIdVerified?: boolean;
}
