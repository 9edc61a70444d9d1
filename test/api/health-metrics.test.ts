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

test('/metrics counts requests by route and status in Prometheus format', async () => {
  const key = await api.keyWith('read');
  await api.call('GET', '/api/v1/users?limit=1', { key });
  await api.call('GET', '/api/v1/users/nope', { key });
  const res = await fetch(`${api.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users",status="200"\} 1/);
  expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users\/:id",status="404"\} 1/);
  // The +Inf bucket counts every request whatever its duration (a finite bucket would make this a timed assertion).
  expect(text).toMatch(/http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/users",status="200"\} 1/);
  expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users",status="200"\} 1/);
});
