import type { Config } from '../src/config';
import type { SecretBox } from '../src/crypto/secret-box';
import type { Database } from '../src/db/client';
import type { Logger } from '../src/logger';
import type { TemporalHandle } from '../src/temporal/connection';

/** What route handlers may use; built once per API process. */
export interface ApiDeps {
  config: Config;
  database: Database;
  logger: Logger;
  temporal: TemporalHandle;
  /** Seals wallet secrets as users are created. */
  walletBox: SecretBox;
  version: string;
}
