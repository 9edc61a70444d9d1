import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Pool, PoolClient } from 'pg';
import type { Db, Tx } from '../db/client';
import { auditLog } from '../db/schema';
import type { Actor } from './actor';

/**
 * The only writer of the audit log (`audit_log`, src/db/schema/audit.ts), and its one query. Every audited change calls
 * recordAudit on the connection that makes the change, inside its transaction, with the statuses read there.
 */
export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  /** The change's business key, e.g. `order:<id>:v<version>`: recording it again (a retried step) does nothing. */
  dedupeKey: string;
  actor: Actor;
  /** `order.fund`, `dispute.resolve`, `withdrawal.create`, `api_key.revoke`, … */
  action: string;
  resourceType: string;
  resourceId: string;
  statusBefore: string | null;
  statusAfter: string | null;
  /** What else explains the change; never a secret. */
  details?: Record<string, unknown>;
}

/** Where an entry is written: a pg pool or client, or a drizzle database or transaction. */
export type AuditWriter = Pool | PoolClient | Db | Tx;

const dialect = new PgDialect();

/** Appends one entry on the caller's connection (inside its transaction when it has one). True when it was new. */
export async function recordAudit(writer: AuditWriter, e: AuditEntry): Promise<boolean> {
  const statement = sql`INSERT INTO audit_log (dedupe_key, actor_type, actor_id, request_id, action, resource_type, resource_id,
      status_before, status_after, details)
    VALUES (${e.dedupeKey}, ${e.actor.type}, ${e.actor.id}, ${e.actor.requestId ?? null}, ${e.action}, ${e.resourceType},
      ${e.resourceId}, ${e.statusBefore}, ${e.statusAfter}, ${JSON.stringify(e.details ?? {})}::jsonb)
    ON CONFLICT (dedupe_key) DO NOTHING`;
  if ('execute' in writer) return ((await writer.execute(statement)).rowCount ?? 0) > 0;
  const q = dialect.sqlToQuery(statement);
  return ((await writer.query(q.sql, q.params)).rowCount ?? 0) > 0;
}

export interface AuditFilter {
  action?: string;
  resourceType?: string;
  resourceId?: string;
  actorId?: string;
  requestId?: string;
  from?: Date;
  to?: Date;
}

/** A page of entries, newest first, before `beforeId` (fetched with one extra row to tell whether more exist). */
export async function listAudit(db: Db, f: AuditFilter, page: { limit: number; beforeId?: number }): Promise<AuditRow[]> {
  const where: SQL[] = [];
  if (page.beforeId !== undefined) where.push(lt(auditLog.id, page.beforeId));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.resourceType) where.push(eq(auditLog.resourceType, f.resourceType));
  if (f.resourceId) where.push(eq(auditLog.resourceId, f.resourceId));
  if (f.actorId) where.push(eq(auditLog.actorId, f.actorId));
  if (f.requestId) where.push(eq(auditLog.requestId, f.requestId));
  if (f.from) where.push(gte(auditLog.occurredAt, f.from));
  if (f.to) where.push(lte(auditLog.occurredAt, f.to));
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(page.limit + 1);
}
