// Every workflow the worker runs is exported from here; the bundler starts at this file.
export { depositWatcher } from './deposit-watcher';
export { walletActivation } from './wallet-activation';
export { withdrawal } from './withdrawal';
export { airtmPayout } from './airtm-payout';
export { order } from './order';
export { webhookDelivery, webhookRedelivery } from './webhook-delivery';
export { topup } from './topup';
export { onrampOrder, onrampMerchantActivation } from './onramp-order';
