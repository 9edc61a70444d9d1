import type { Response } from 'express';

/** Sends an already-serialised JSON body, so a replay is byte for byte what was stored. */
export function sendJson(res: Response, status: number, json: string): void {
  res.status(status).setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(json);
}
