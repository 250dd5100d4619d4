// DASHBOARD_INSECURE_HTTP: the operator's explicit choice of a plain-HTTP session cookie off
// loopback (a network they trust), said loudly at start. Its own file: chDB allows one data
// directory per process, and this needs an instance of its own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, loginWithHost, PASSWORD } from '../helpers/accounts.ts';

let t: TestTelmark;
beforeAll(async () => {
  t = await startTestTelmark({ DASHBOARD_INSECURE_HTTP: 'true' });
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

it('DASHBOARD_INSECURE_HTTP=true allows the plain cookie off loopback, with a warning at start', async () => {
  expect(t.logs.some((l) => /WARNING DASHBOARD_INSECURE_HTTP=true/.test(l))).toBe(true);
  await createUser(t, 'mia@example.com', ['marketer']);
  const answer = await loginWithHost(t.dashboardUrl, 'stats.example.com', { email: 'mia@example.com', password: PASSWORD });
  expect(answer.status).toBe(200);
  expect(answer.setCookie[0]).toMatch(/^telmark_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
});
