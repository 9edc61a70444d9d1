/** Entry point of the API process (`node dist/bin/api.js`): reads the configuration, starts the API, stops on SIGINT/SIGTERM. */
import { startApi } from '../api/server';

startApi().then(
  (api) => {
    const shutdown = () => void api.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
