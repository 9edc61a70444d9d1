import fs from 'node:fs';
import path from 'node:path';
import type { LedgerRecord, OpRecord, TxRecord } from './history';
import type { StoredEntry } from './ledger-state';
import type { NetworkSnapshot } from './network';

/**
 * The sandbox's state on disk: one JSON document (bigints tagged as {"$bigint": "..."}) holding the closed
 * ledger's entries, the ledger clock, the history Horizon serves and the generated USDC issuer secret. Written
 * after every ledger close that changed something, atomically: to a temporary file in the same directory, flushed,
 * then renamed over the previous file.
 */

export const FILE_FORMAT = 'offerhub-stellar-sandbox/1';

export interface SandboxFile {
  format: typeof FILE_FORMAT;
  networkPassphrase: string;
  clock: NetworkSnapshot;
  usdcIssuerSecret?: string;
  entries: StoredEntry[];
  ledgers: LedgerRecord[];
  transactions: TxRecord[];
  operations: OpRecord[];
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { $bigint: value.toString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const tagged = (value as { $bigint?: unknown }).$bigint;
    if (keys.length === 1 && typeof tagged === 'string') return BigInt(tagged);
  }
  return value;
}

export function loadSandboxFile(file: string): SandboxFile | null {
  if (!fs.existsSync(file)) return null;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'), reviver) as SandboxFile;
  if (parsed.format !== FILE_FORMAT) throw new Error(`${file} is not a Stellar sandbox data file (format ${String(parsed.format)})`);
  return parsed;
}

let tempCounter = 0;

function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${(tempCounter += 1)}.tmp`);
  return (async () => {
    await fs.promises.mkdir(dir, { recursive: true });
    const handle = await fs.promises.open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
  })().catch(async (err) => {
    await fs.promises.rm(temp, { force: true });
    throw err;
  });
}

/** Coalesces save requests: at most one write in flight, and one more queued with the latest snapshot. */
export class Persister {
  private writing: Promise<void> | null = null;
  private queued = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => SandboxFile,
    private readonly onError: (err: unknown) => void,
  ) {}

  schedule(): void {
    if (this.writing) {
      this.queued = true;
      return;
    }
    const text = JSON.stringify(this.snapshot(), replacer);
    this.writing = writeAtomically(this.file, text)
      .catch(this.onError)
      .finally(() => {
        this.writing = null;
        if (this.queued) {
          this.queued = false;
          this.schedule();
        }
      });
  }

  /** Waits for pending writes, then writes the current state once more. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    await writeAtomically(this.file, JSON.stringify(this.snapshot(), replacer));
  }
}
