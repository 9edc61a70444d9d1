import { unique } from './app';
import { eventually, type StellarStack } from './stellar-stack';

/** Drives orders through REST on a stellar stack: parties with deposits, and each lifecycle step. */
export function orderDriver(s: StellarStack, key: string, supportKey?: string) {
  /** Steps on chain answer 202 once accepted; these suites wait for the outcome (Prefer: wait), as a client may. */
  const post = (path: string, body?: object, idem: string = unique('idem'), as = key) =>
    s.api.call('POST', `/api/v1${path}`, { key: as, body, headers: { 'idempotency-key': idem, prefer: 'wait=60' } });
  const get = (path: string, as = key) => s.api.call('GET', `/api/v1${path}`, { key: as });
  /** A client that asks again, with the same Idempotency-Key, while the step is still running (202) or timed out (504). */
  const postUntilAnswered = async (path: string, body?: object, ms = 90_000) => {
    const idem = unique('idem');
    const deadline = Date.now() + ms;
    for (;;) {
      const res = await post(path, body, idem);
      if ((res.status !== 504 && res.status !== 202) || Date.now() > deadline) return res;
      if (res.status === 202) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  return {
    post,
    postUntilAnswered,
    get,
    /** An active user whose wallet received `deposit` USDC, credited on the ledger. */
    async party(deposit?: string): Promise<{ id: string; address: string }> {
      const user = await s.activeUser(key);
      if (deposit) {
        await s.faucet(user.address, deposit);
        await eventually(async () => (await s.balance(key, user.id))?.available === deposit, 20_000, 'deposit credit');
      }
      return user;
    },
    async order(buyer: string, seller: string, amount: string, extra: object = {}): Promise<string> {
      const res = await post('/orders', { buyer_id: buyer, seller_id: seller, amount, currency: 'USD', title: 'Landing page', ...extra });
      if (res.status !== 201) throw new Error(`order creation answered ${res.status}: ${res.text}`);
      return res.body.data.id;
    },
    /** An order with the buyer's funds reserved. */
    async reserved(buyer: string, seller: string, amount: string): Promise<string> {
      const id = await this.order(buyer, seller, amount);
      const res = await post(`/orders/${id}/reserve`);
      if (res.status !== 200) throw new Error(`reserve answered ${res.status}: ${res.text}`);
      return id;
    },
    /** reserve → escrow → fund, each answering 200. */
    async funded(buyer: string, seller: string, amount: string, extra: object = {}): Promise<string> {
      const id = await this.order(buyer, seller, amount, extra);
      for (const [path, body] of [
        [`/orders/${id}/reserve`],
        [`/orders/${id}/escrow`, { amount, currency: 'USD' }],
        [`/orders/${id}/escrow/fund`],
      ] as Array<[string, object?]>) {
        const res = await post(path, body);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text}`);
      }
      return id;
    },
    async dispute(orderId: string, openedBy: 'BUYER' | 'SELLER' = 'BUYER') {
      return post(`/orders/${orderId}/resolution/dispute`, { opened_by: openedBy, reason: 'the work was not delivered as agreed' });
    },
    resolve(disputeId: string, body: object, idem?: string) {
      return post(`/disputes/${disputeId}/resolve`, body, idem, supportKey);
    },
    async orderView(id: string) {
      return (await get(`/orders/${id}`)).body.data;
    },
  };
}
