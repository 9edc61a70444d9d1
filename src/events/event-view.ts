import { formatEventId } from './event-id';

/** An event as consumers see it (SSE `data:`, webhook bodies). */
export interface EventView {
  /** `evt_…`, ordered: a consumer resumes after the last one it saw. */
  id: string;
  type: string;
  created_at: string;
  /** The resource the event is about; `data` is its snapshot as the API renders it, at the time of the event. */
  resource: { type: string; id: string };
  data: Record<string, unknown>;
}

export interface EventRow {
  id: bigint;
  type: string;
  resourceType: string;
  resourceId: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export function renderEvent(e: EventRow): EventView {
  return {
    id: formatEventId(e.id),
    type: e.type,
    created_at: e.createdAt.toISOString(),
    resource: { type: e.resourceType, id: e.resourceId },
    data: e.data,
  };
}
