import { startApi } from '../../api/server';
import { loadConfig } from '../../src/config';
import { startTestApi, type TestApi } from '../helpers/app';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('health reports PostgreSQL and Temporal reachable, and the version', async () => {
  const res = await api.call('GET', '/api/v1/health', { key: null });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'ok', version: 'test', checks: { postgres: { ok: true }, temporal: { ok: true } } });
});

test('health answers 503 degraded when Temporal cannot be reached', async () => {
  const cut = await startTestApi({ TEMPORAL_ADDRESS: '127.0.0.1:1' });
  try {
    const res = await cut.call('GET', '/api/v1/health', { key: null });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'degraded', checks: { postgres: { ok: true }, temporal: { ok: false } } });
  } finally {
    await cut.close();
  }
});

test('/metrics, on the metrics listener, counts requests by route and status in Prometheus format', async () => {
  const key = await api.keyWith('read');
  await api.call('GET', '/api/v1/users?limit=1', { key });
  await api.call('GET', '/api/v1/users/nope', { key });
  const res = await fetch(`${api.metricsUrl}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users",status="200"\} 1/);
  expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users\/:id",status="404"\} 1/);
  // The +Inf bucket counts every request whatever its duration (a finite bucket would make this a timed assertion).
  expect(text).toMatch(/http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/users",status="200"\} 1/);
  expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users",status="200"\} 1/);
});

test('the public API port does not serve /metrics: 404 NOT_FOUND in the error envelope', async () => {
  const res = await api.call('GET', '/metrics', { key: null });
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('NOT_FOUND');
});

test('startApi serves metrics on METRICS_HOST:METRICS_PORT and only there', async () => {
  const config = loadConfig({ ...process.env, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' });
  expect(config.METRICS_HOST).toBe('127.0.0.1'); // the default: reachable from this host only
  const server = await startApi(config);
  try {
    expect(server.metricsPort).not.toBe(server.port);
    const metrics = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.metricsPort}/api/v1/health`)).status).toBe(404);
  } finally {
    await server.stop();
  }
});
