import { z } from 'zod';
import { withdrawalStatuses } from '../../src/db/schema';

/** A withdrawal as the API answers it (src/withdrawals/render.ts), to Stellar or to Airtm. */
export const withdrawalSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    amount: z.string(),
    currency: z.string(),
    destination: z.union([
      z.object({
        type: z.literal('stellar'),
        address: z.string(),
        memo: z.object({ type: z.string(), value: z.string() }).nullable(),
      }),
      z.object({ type: z.literal('airtm'), email: z.string() }),
    ]),
    status: z.enum(withdrawalStatuses),
    airtm_payout: z
      .object({
        id: z.string().nullable(),
        status: z.string().nullable(),
        reason: z.string().nullable(),
        treasury_tx_hash: z.string().nullable(),
        last_error: z.string().nullable(),
      })
      .nullable()
      .meta({
        description:
          'An Airtm payout: its id and status at Airtm (PENDING: waiting for the recipient to sign up or verify) and Airtm’s reasonDescription; ' +
          'once completed, the Stellar transaction that returned its USDC from the user’s wallet to the treasury and, until it lands, why not ' +
          '(last_error); null for Stellar',
      }),
    tx_hash: z.string().nullable(),
    failure_code: z
      .string()
      .nullable()
      .meta({ description: 'Stellar result code of a failed payment (op_no_trust, op_no_destination, …), or Airtm’s reasonCode' }),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .meta({ id: 'Withdrawal' });
