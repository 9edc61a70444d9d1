/** npm run test:testnet: the contract tests against the real testnet (scripts/test-testnet.js), with the usual local stack. */
const base = require('../../jest.config');

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/testnet'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  maxWorkers: 1,
};
