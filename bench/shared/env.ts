/** A positive number from the environment (an integer unless `fraction`), or the default; anything else stops the bench. */
export function envNumber(name: string, def: number, opts: { fraction?: boolean } = {}): number {
  const v = Number(process.env[name] ?? def);
  const ok = opts.fraction ? Number.isFinite(v) && v > 0 : Number.isInteger(v) && v > 0;
  if (!ok) throw new Error(`${name} must be a positive ${opts.fraction ? 'number' : 'integer'}`);
  return v;
}
