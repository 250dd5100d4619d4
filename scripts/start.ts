// `npm start`: collector + dashboard in one process on embedded ClickHouse (or CLICKHOUSE_URL).
import { ConfigError } from '../schema/env.ts';
import { errorLine } from '../schema/errors.ts';
import { snippet } from '../collector/tracker/script.ts';
import { startAll, type Running } from './start-all.ts';

export async function main(opts: { collector?: boolean; dashboard?: boolean } = {}): Promise<void> {
  let running: Running;
  try {
    running = await startAll(process.env, opts);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`telmark: ${err.message}`);
      process.exit(2);
    }
    console.error(`telmark: could not start: ${errorLine(err)}`);
    process.exit(1);
  }
  const sites = running.collector?.sites.all() ?? [];
  const lines = [''];
  if (running.collectorUrl) lines.push(`collector  ${running.collectorUrl}   (POST /api/event, GET /js/script.js, GET|DELETE /api/privacy/me, GET /privacy, /healthz, /metrics)`);
  if (running.dashboardUrl) {
    lines.push(`dashboard  ${running.dashboardUrl}/   (sign in; Stats API: POST /api/v2/query; security API: /api/security/abuse/*)`);
    if (running.setupUrl) {
      lines.push(
        '',
        'No account yet. Open this one-time link (valid 1 hour) to create the first admin:',
        `  ${running.setupUrl}`,
        '  (or, with telmark stopped: npm run users -- create you@example.com --role admin)',
        '',
      );
    }
    // Keys open data: say where they are, never print them (terminals end up in logs).
    lines.push(
      running.statsKeyFile
        ? `stats key  in ${running.statsKeyFile}   (for scripts; people sign in and make their own keys under "Your account")`
        : 'stats key  from STATS_API_KEYS',
    );
  }
  if (running.adminUrl) {
    lines.push(`admin      ${running.adminUrl}/admin/abuse/summary   (security API: full IPs held for abuse detection; Bearer <security key>)`);
    lines.push(
      running.generatedSecurityKey
        ? `security key  in ${running.securityKeyFile}   (generated, mode 600; set SECURITY_API_KEYS to choose your own)`
        : 'security key  from SECURITY_API_KEYS',
    );
  }
  if (running.collectorUrl) {
    if (sites.length === 0) {
      lines.push(
        '',
        'No site registered yet. Restart with your domain(s), e.g. SITES=example.com npm start, then add to every page:',
        `  ${snippet(running.collectorUrl, 'example.com')}`,
      );
    }
    for (const s of sites) lines.push('', `Add this to every page of ${s.domain} (time zone ${s.timezone}):`, `  ${snippet(running.collectorUrl, s.domain)}`);
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`telmark: ${signal} received, flushing aggregates…`);
    running.stop().then(
      (r) => {
        console.log(r.flushed ? 'telmark: stopped cleanly' : `telmark: stopped; ${r.spooled} batch(es) spooled for the next start`);
        process.exit(0);
      },
      (err) => {
        console.error(`telmark: error while stopping: ${errorLine(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
