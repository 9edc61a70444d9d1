/**
 * Who made a change, as the audit log records it. Plain data (no imports): the API builds it from the request, the
 * workflows carry it in their messages and hand it to the activities that write the change.
 */
export type ActorType = 'api_key' | 'master_key' | 'operator' | 'system';

export interface Actor {
  type: ActorType;
  /** The API key's id (never its secret), `master`, `temporal:<identity>` of an operator's signal, or the system part that acted. */
  id: string;
  /** The API request's X-Request-ID; absent for signals and the system. */
  requestId?: string;
}

/** A change no caller asked for at that moment: a timer (reservation expiry, auto-release) or the payout of a withdrawal. */
export const SYSTEM: Actor = { type: 'system', id: 'worker' };

/** A request that named no actor (one sent before the audit log, or by hand to Temporal): recorded as such, never guessed. */
export const UNATTRIBUTED: Actor = { type: 'system', id: 'unattributed' };

/**
 * A resolution signalled from the Temporal UI or CLI is first known to the workflow as its ordinal (`signal:<n>`);
 * the activity that writes it asks Temporal who sent it (`temporal:<identity>`).
 */
export function signalActor(ordinal: number): Actor {
  return { type: 'operator', id: `signal:${ordinal}` };
}
