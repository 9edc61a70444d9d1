import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, type Metric, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics: request counts and durations by route and status, and the business counters given. */
export function createMetrics(business: Metric[] = []) {
  const registry = new Registry();
  for (const metric of business) registry.registerMetric(metric);
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (res.locals.route as string | undefined) ?? (req.route?.path ? String(req.route.path) : 'unmatched');
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
  return { registry, middleware };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `wallet_activations_total{outcome}`: started, already running, refused by a budget, or not started (Temporal away). */
export function walletActivationCounter(): Counter<'outcome'> {
  return new Counter({
    name: 'wallet_activations_total',
    help: 'Wallet activations asked for, by outcome (each started one is paid in the platform’s XLM)',
    labelNames: ['outcome'],
    registers: [],
  });
}

/** The event streams of this process: how many are open, and how many reads their shared feed made for how many commits. */
export function eventStreamMetrics(events: { feed: { reads: number; notificationsHeard: number }; holders: Set<string> }): Metric[] {
  return [
    new Gauge({
      name: 'event_streams_open',
      help: 'GET /api/v1/events streams open in this process',
      registers: [],
      collect() {
        this.set(events.holders.size);
      },
    }),
    countOf(
      'event_feed_reads_total',
      'Reads of new events by the process’s feed, shared by all its streams (one per burst of commits)',
      () => events.feed.reads,
    ),
    countOf(
      'event_notifications_total',
      'Event notifications (one per committed event) the process heard',
      () => events.feed.notificationsHeard,
    ),
  ];
}

/** A counter that follows a running total kept elsewhere. */
function countOf(name: string, help: string, total: () => number): Counter {
  let counted = 0;
  return new Counter({
    name,
    help,
    registers: [],
    collect() {
      this.inc(total() - counted);
      counted = total();
    },
  });
}
