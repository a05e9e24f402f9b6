// Security events for the admin's audit log. Writes are batched (one multi-row INSERT per tick)
// so that logging every token issuance does not double the token endpoint's round trips.
import { getDb } from '../index';
import { auditEvents } from '../schema';

export type AuditType =
  | 'login.success'
  | 'login.failure'
  | 'user.signup'
  | 'consent.granted'
  | 'consent.denied'
  | 'consent.revoked'
  | 'token.issued'
  | 'token.revoked'
  | 'code.replayed'
  | 'refresh.reuse_detected'
  | 'client.auth_failed'
  | 'application.created'
  | 'application.updated'
  | 'application.deleted'
  | 'application.secret_reset'
  | 'device.approved'
  | 'device.denied'
  | 'admin.action';

export interface AuditInput {
  actorUserId?: string | null;
  actorLabel?: string | null;
  applicationId?: number | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

type Row = typeof auditEvents.$inferInsert;
const KEY = Symbol.for('oauth.audit');
type State = { queue: Row[]; timer: NodeJS.Timeout | null; flushing: Promise<void> | null };
type G = typeof globalThis & { [KEY]?: State };
const state = ((globalThis as G)[KEY] ??= { queue: [], timer: null, flushing: null });

const FLUSH_MS = 100;
const MAX_BATCH = 200;

export function audit(type: AuditType, e: AuditInput = {}): void {
  state.queue.push({ type, at: new Date(), ...e, detail: e.detail ?? null });
  if (state.queue.length >= MAX_BATCH) void flushAudit();
  else state.timer ??= setTimeout(() => void flushAudit(), FLUSH_MS);
}

/** Writes queued events now (tests and shutdown call this). */
export async function flushAudit(): Promise<void> {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  while (state.flushing) await state.flushing;
  if (state.queue.length === 0) return;
  const batch = state.queue.splice(0, state.queue.length);
  state.flushing = (async () => {
    try {
      const db = await getDb();
      await db.insert(auditEvents).values(batch);
    } catch (err) {
      console.error('audit: could not write %d events: %s', batch.length, (err as Error).message);
    } finally {
      state.flushing = null;
    }
  })();
  await state.flushing;
}
