import type { Payin } from './model';
import { usdText } from './wire';

/**
 * The hosted payment page: "redirect the user to: https://<API Host>/payin/:id … User will confirm or cancel payin
 * from Airtm's website" (#/paths/~1payins/post/description, "Usage"). Plain HTML with one POST form: the user names
 * their Airtm account (the sandbox's stand-in for logging in) and presses Confirm or Cancel.
 */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Airtm sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 2rem auto">
<p><strong>Airtm sandbox</strong>: no real money moves here.</p>
${body}
</body></html>
`;
}

export function checkoutPage(p: Payin, error?: { code: string; message: string }): string {
  const items = p.items.map((it) => `<li>${escape(it.description)}: ${it.quantity} × ${usdText(it.amountCents)} USD</li>`).join('\n');
  return page(
    'Confirm your payment',
    `<h1>Confirm your payment</h1>
<p id="description">${escape(p.description)}</p>
<ul id="items">${items}</ul>
<p>Total: <strong id="amount">${usdText(p.amountCents)} USD</strong></p>
${error ? `<p id="error" role="alert">${escape(error.message)} (${escape(error.code)})</p>` : ''}
<form method="post" action="/payin/${encodeURIComponent(p.id)}">
  <label>Your Airtm email <input type="email" name="email" id="email" autocomplete="email"></label>
  <p>
    <button type="submit" name="action" value="confirm" id="confirm">Confirm</button>
    <button type="submit" name="action" value="cancel" id="cancel" formnovalidate>Cancel</button>
  </p>
</form>`,
  );
}

/** "Upon confirmation or cancellation … the URL residing at /payin/:id will no longer function." */
export function closedPage(p: Payin): string {
  return page('Payment closed', `<h1>This payment is closed</h1><p id="status">${escape(p.status)}</p>`);
}

export function notFoundPage(): string {
  return page('Not found', '<h1>No such payment</h1>');
}
