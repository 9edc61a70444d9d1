import type { Payment } from './payments';
import type { ReclaimProofJson } from './witness';

/** The sandbox's HTML: a form to declare a payment, and the page showing a payment with its proof. */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · payment platform sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 48rem; margin: 2rem auto">
<p><strong>Payment platform sandbox</strong>: no real money moves here; the proof is signed by the sandbox witness.</p>
${body}
</body></html>
`;
}

const FIELDS: Array<[name: string, label: string, placeholder: string]> = [
  ['platform', 'Platform', 'venmo'],
  ['amount', 'Amount', '50.00'],
  ['currency', 'Currency', 'USD'],
  ['recipient', 'Recipient (the merchant on the platform)', '@merchant-venmo'],
  ['senderHandle', 'You (the payer on the platform)', '@buyer'],
  ['intentHash', 'Intent hash of the order', ''],
  ['paidAt', 'Paid at (ISO 8601; empty: now)', '2026-01-15T10:05:00Z'],
];

export function declarePage(witnessAddress: string, error?: string, values: Record<string, string> = {}): string {
  const inputs = FIELDS.map(
    ([name, label, placeholder]) =>
      `<p><label>${escape(label)}<br><input name="${name}" id="${name}" size="70" placeholder="${escape(placeholder)}" value="${escape(values[name] ?? '')}"></label></p>`,
  ).join('\n');
  return page(
    'Declare a payment',
    `<h1>Declare a payment</h1>
<p>Witness: <code id="witness">${escape(witnessAddress)}</code></p>
${error ? `<p id="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/">
${inputs}
<p><button type="submit" id="declare">Declare payment</button></p>
</form>`,
  );
}

export function paymentPage(p: Payment, proof: ReclaimProofJson): string {
  return page(
    'Payment recorded',
    `<h1>Payment <code id="payment-id">${escape(p.id)}</code></h1>
<p>${escape(p.amount)} ${escape(p.currency)} from ${escape(p.senderHandle)} to ${escape(p.recipient)} on ${escape(p.platform)}, ${escape(p.paidAt)}.</p>
<p>Submit this proof with <code>POST /api/v1/onramp/orders/fulfill {"intentHash", "proof"}</code>
(also at <a href="/payments/${encodeURIComponent(p.id)}/proof">/payments/${escape(p.id)}/proof</a>):</p>
<pre id="proof" style="white-space: pre-wrap; word-break: break-all">${escape(JSON.stringify(proof, null, 2))}</pre>
<p><a href="/">Declare another payment</a></p>`,
  );
}

export function notFoundPage(): string {
  return page('Not found', '<h1>No such payment</h1>');
}
