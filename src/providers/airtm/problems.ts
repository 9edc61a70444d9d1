/**
 * Airtm's errors. Every operation's `default` response is `{code: string, message: string, data?: object}`
 * (#/paths/~1payins/post/responses/default/content/application~1json/schema; the same on every path), and the codes
 * are the "Reason Codes" of #/info/description ("# Reason Codes"). Each documented code is classed here as a refusal
 * (a business answer: the same request cannot succeed by retrying it) or kept for an operator: a code not in this
 * list, or Airtm's own "unexpected"/"unknown" errors (415998, 415999, "Contact account manager"), is a refusal an
 * operator sees, never an outage retried forever. See docs/airtm.md, "Errors".
 */
export interface AirtmErrorBody {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Documented reason codes (#/info/description, "# Reason Codes"), with the spec's words. */
export const REASON_CODES: Readonly<Record<string, string>> = {
  // Authentication & Authorization
  '415006': 'No API keys configured',
  '415024': 'Maximum API keys reached',
  '415025': 'API key not found',
  '415028': 'Enterprise account required',
  '415904': 'Unauthorized request',
  '415905': 'Insufficient permissions',
  // Validation
  '415054': 'Invalid sort field',
  '415901': 'Invalid request format',
  '415902': 'Item not found',
  '415903': 'Request cannot be processed',
  '415906': 'Invalid request',
  // User issues
  '415008': 'Recipient address not active',
  '415009': 'Recipient address inactive',
  '415010': 'User deleted or banned',
  '415034': 'User insufficient balance',
  '415059': 'Recipient not found',
  '415060': 'Recipient cannot receive payouts',
  '415061': 'Recipient from restricted territory',
  '415062': 'Invalid recipient payment method',
  '415064': 'Invalid recipient payment method',
  '415065': 'User has violated the AML policy',
  // Payout issues
  '415005': 'Payout not found',
  '415016': 'Insufficient balance for payout',
  '415027': 'Payout already processed',
  '415035': 'Payout amount too small',
  '415055': 'Cannot cancel non-pending payout',
  '415056': 'Payout code already exists',
  '415057': 'Payout exceeds maximum limit',
  '415058': 'Payout below minimum limit',
  '415073': "The payment provider could not deliver the funds to the user's payment method",
  // Payin issues
  '415029': 'Payin code already exists',
  '415030': 'Cannot confirm or cancel payin',
  '415031': 'Payin not found',
  '415032': 'Payin already completed',
  '415053': 'US users cannot make payins',
  // Payment infrastructure
  '415003': 'Error reaching external service',
  '415036': 'No active payment provider',
  '415046': 'Country not supported',
};

/** Codes the spec says to take to a person ("Contact account manager"): refusals, marked unknown for an operator. */
const FOR_AN_OPERATOR = new Set(['415998', '415999']);

/** The body as Airtm's error shape, or null when it is not one (then the HTTP status alone decides). */
export function errorBodyOf(body: unknown): AirtmErrorBody | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (typeof b.code !== 'string' || typeof b.message !== 'string') return null;
  return b as unknown as AirtmErrorBody;
}

/** A documented refusal, or one for an operator (unknown code, or Airtm's unexpected/unknown error). */
export function classify(code: string): 'refusal' | 'unknown-refusal' {
  return code in REASON_CODES && !FOR_AN_OPERATOR.has(code) ? 'refusal' : 'unknown-refusal';
}
