import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as any).__OFFERHUB_TEST__ as { stops: Array<() => Promise<void>>; runDir: string } | undefined;
  if (!state) return;
  for (const stop of state.stops.reverse()) await stop().catch((err) => console.error('teardown:', err));
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(state.runDir, { recursive: true, force: true });
}
