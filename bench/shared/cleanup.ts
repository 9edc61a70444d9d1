/**
 * What a bench must undo, in reverse order, whether it ends, fails or is interrupted (Ctrl-C): `cleanup` collects the
 * steps, `stopAll` runs them once, each failure logged and passed over.
 */
export function benchCleanup(log: (line: string) => void): { cleanup: Array<() => Promise<void>>; stopAll: () => Promise<void> } {
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch((err) => log(`cleanup: ${err instanceof Error ? err.message : err}`));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  return { cleanup, stopAll };
}
