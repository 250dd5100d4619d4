// The dashboard speaking HTTPS itself (TLS_CERT / TLS_KEY): the session cookie becomes
// __Host-telmark_session with Secure, and every answer carries the security headers (CSP
// included). A self-signed certificate for 127.0.0.1 is made with openssl for the test.
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTelmark, tempDir, type TempDir, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, PASSWORD } from '../helpers/accounts.ts';
import { dashboardConfig } from '../../dashboard/config.ts';
import { ConfigError } from '../../schema/env.ts';

let t: TestTelmark;
let certs: TempDir;

/** An HTTPS request that accepts the test's self-signed certificate. */
function https(url: string, method: string, body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method,
        rejectUnauthorized: false,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), origin: u.origin } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  certs = tempDir('telmark-tls-');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(certs.path, 'key.pem'), '-out', join(certs.path, 'cert.pem'),
  ], { stdio: 'ignore' });
  t = await startTestTelmark({ TLS_CERT: join(certs.path, 'cert.pem'), TLS_KEY: join(certs.path, 'key.pem') });
}, 60_000);
afterAll(async () => {
  await t?.destroy();
  certs?.remove();
});

it('serves the dashboard over HTTPS, and signing in sets __Host-telmark_session with Secure', async () => {
  expect(t.dashboardUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  await createUser(t, 'tia@example.com', ['viewer']);
  const login = await https(`${t.dashboardUrl}/api/auth/login`, 'POST', { email: 'tia@example.com', password: PASSWORD });
  expect(login.status).toBe(200);
  expect((login.headers['set-cookie'] as string[])[0]).toMatch(/^__Host-telmark_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  // Plain HTTP on the same port is not answered as HTTP.
  await expect(fetch(t.dashboardUrl.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
});

it('every answer carries the security headers, the app page a strict Content-Security-Policy', async () => {
  const page = await https(`${t.dashboardUrl}/`, 'GET');
  const csp = String(page.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) expect(csp).toContain(directive);
  expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  const api = await https(`${t.dashboardUrl}/api/auth/me`, 'GET');
  expect(api.status).toBe(401);
  expect(api.headers['cache-control']).toBe('no-store');
});

it('TLS_CERT and TLS_KEY go together and must be readable PEM files', () => {
  const dir = tempDir('telmark-tls-cfg-');
  try {
    expect(() => dashboardConfig({ TLS_CERT: join(certs.path, 'cert.pem') }, dir.path)).toThrow(ConfigError);
    expect(() => dashboardConfig({ TLS_CERT: join(certs.path, 'cert.pem'), TLS_KEY: '/nonexistent/key.pem' }, dir.path)).toThrow(/TLS_KEY=.*readable PEM/);
    expect(() => dashboardConfig({ TLS_CERT: join(certs.path, 'key.pem'), TLS_KEY: join(certs.path, 'key.pem') }, dir.path)).toThrow(/TLS_CERT=.*PEM certificate/);
    expect(dashboardConfig({ TLS_CERT: join(certs.path, 'cert.pem'), TLS_KEY: join(certs.path, 'key.pem') }, dir.path).tls?.cert.length).toBeGreaterThan(100);
  } finally {
    dir.remove();
  }
});
