import fs from 'node:fs';
import path from 'node:path';
import type { AirtmModel, Payin, Payout, User } from './model';

/**
 * The sandbox Airtm's state in a JSON file: written after every change, read on start, so users, balances, pay-ins
 * and payouts outlive a restart (as Airtm's do). Deliveries in flight are not kept: a restart loses them, as a
 * dropped webhook (polling finds the state).
 */
export const FILE_FORMAT = 'offerhub-airtm-sandbox/1';

interface DataFile {
  format: string;
  enterpriseAvailableCents: string;
  users: Array<Omit<User, 'balanceCents'> & { balanceCents: string }>;
  payins: Array<
    Omit<Payin, 'amountCents' | 'feeCents' | 'items' | 'user'> & {
      amountCents: string;
      feeCents: string;
      items: Array<{ id: string; description: string; amountCents: string; quantity: number }>;
      userEmail?: string;
    }
  >;
  payouts: Array<
    Omit<Payout, 'grossCents' | 'enterpriseFeeCents' | 'airtmFeeCents' | 'user'> & {
      grossCents: string;
      enterpriseFeeCents: string;
      airtmFeeCents: string;
      userEmail: string;
    }
  >;
}

export function saveModel(file: string, model: AirtmModel): void {
  const data: DataFile = {
    format: FILE_FORMAT,
    enterpriseAvailableCents: model.enterpriseAvailableCents.toString(),
    users: [...model.users.values()].map((u) => ({ ...u, balanceCents: u.balanceCents.toString() })),
    payins: [...model.payins.values()].map(({ user, ...p }) => ({
      ...p,
      amountCents: p.amountCents.toString(),
      feeCents: p.feeCents.toString(),
      items: p.items.map((it) => ({ ...it, amountCents: it.amountCents.toString() })),
      ...(user ? { userEmail: user.email } : {}),
    })),
    payouts: [...model.payouts.values()].map(({ user, ...p }) => ({
      ...p,
      grossCents: p.grossCents.toString(),
      enterpriseFeeCents: p.enterpriseFeeCents.toString(),
      airtmFeeCents: p.airtmFeeCents.toString(),
      userEmail: user.email,
    })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2));
  fs.renameSync(tmp, file);
}

/** Loads `file` into `model` (which must be empty); false when there is no file yet. */
export function loadModel(file: string, model: AirtmModel): boolean {
  if (!fs.existsSync(file)) return false;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as DataFile;
  if (data.format !== FILE_FORMAT) throw new Error(`${file} is not an Airtm sandbox data file`);
  model.enterpriseAvailableCents = BigInt(data.enterpriseAvailableCents);
  for (const u of data.users) model.users.set(u.email, { ...u, balanceCents: BigInt(u.balanceCents) });
  const userOf = (email: string) => {
    const u = model.users.get(email);
    if (!u) throw new Error(`${file}: no user ${email}`);
    return u;
  };
  for (const { userEmail, ...p } of data.payins)
    model.payins.set(p.id, {
      ...p,
      amountCents: BigInt(p.amountCents),
      feeCents: BigInt(p.feeCents),
      items: p.items.map((it) => ({ ...it, amountCents: BigInt(it.amountCents) })),
      ...(userEmail ? { user: userOf(userEmail) } : {}),
    });
  for (const { userEmail, ...p } of data.payouts)
    model.payouts.set(p.id, {
      ...p,
      grossCents: BigInt(p.grossCents),
      enterpriseFeeCents: BigInt(p.enterpriseFeeCents),
      airtmFeeCents: BigInt(p.airtmFeeCents),
      user: userOf(userEmail),
    });
  return true;
}
