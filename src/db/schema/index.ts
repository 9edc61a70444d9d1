export * from './auth';
export * from './users';
export * from './ledger';
export * from './stellar';
export * from './orders';
export * from './events';
export * from './disputes';
export * from './webhooks';
