import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, type Metric, Registry, collectDefaultMetrics } from 'prom-client';

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
