import { describe, expect, it } from 'vitest';
import { CUBE_NAMES } from '../../schema/cubes.ts';
import { grantStatements } from '../../schema/grants.ts';

describe('least-privilege grants', () => {
  const sql = grantStatements('telmark', { collector: 'tc', dashboard: 'td' }, { collector: "p'w", dashboard: 'x' });
  it('the collector may only insert aggregates, read (and, from SITES, register) sites, read their goal settings, fold hour cubes into day cubes and append to the audit log', () => {
    const collector = sql.filter((s) => s.startsWith('GRANT') && s.endsWith(' TO tc'));
    const allowed = /^GRANT (INSERT ON telmark\.ingest_\w+|SELECT ON telmark\.(schema_migrations|goals|site_props|funnels)|SELECT, INSERT ON telmark\.sites|SELECT ON telmark\.\w+_hour|INSERT ON telmark\.\w+_day|SELECT, INSERT ON telmark\.day_closings|INSERT ON telmark\.audit_log) TO tc$/;
    for (const g of collector) expect(g).toMatch(allowed);
    // Per cube: insert into its ingest table, read its hour cube, insert into its day cube; plus
    // schema_migrations, sites and settings (5), day closings, audit log.
    expect(collector).toHaveLength(CUBE_NAMES.length * 3 + 5 + 1 + 1);
    expect(collector).toContain('GRANT INSERT ON telmark.audit_log TO tc');
    expect(collector.some((g) => /ALTER|DROP|ALL/.test(g))).toBe(false);
  });
  it('the dashboard may only read aggregates, append to the audit log, keep the accounts and write site settings', () => {
    const dashboard = sql.filter((s) => s.startsWith('GRANT') && s.endsWith(' TO td'));
    const writes = dashboard.filter((s) => !s.startsWith('GRANT SELECT ON telmark.'));
    expect(writes).toEqual([
      'GRANT INSERT ON telmark.audit_log TO td',
      'GRANT SELECT, INSERT, ALTER DELETE ON telmark.users TO td',
      'GRANT SELECT, INSERT, ALTER DELETE ON telmark.login_sessions TO td',
      'GRANT SELECT, INSERT, ALTER DELETE ON telmark.api_keys TO td',
      'GRANT SELECT, INSERT ON telmark.goals TO td',
      'GRANT SELECT, INSERT ON telmark.site_props TO td',
      'GRANT SELECT, INSERT ON telmark.funnels TO td',
      'GRANT SELECT, INSERT ON telmark.ad_spend TO td',
      'GRANT SELECT, INSERT ON telmark.shared_links TO td',
      'GRANT SELECT, INSERT ON telmark.shared_link_uses TO td',
    ]);
    expect(dashboard.some((s) => s.includes('ingest_'))).toBe(false);
    // Funnels are never read per minute.
    expect(dashboard.filter((s) => s.includes('_minute'))).toHaveLength(CUBE_NAMES.length - 1);
  });
  it('the collector has no right on the accounts', () => {
    const collector = sql.filter((s) => s.endsWith(' TO tc'));
    expect(collector.filter((s) => /\.(users|login_sessions|api_keys|ad_spend|shared_links|shared_link_uses) /.test(s))).toEqual([]);
  });
  it('neither service may read the audit log back', () => {
    expect(sql.filter((s) => s.includes('audit_log') && /SELECT/.test(s))).toEqual([]);
  });
  it('--cert-auth: the users are identified by client certificates named like them, with no password', () => {
    const cert = grantStatements('telmark', { collector: 'tc', dashboard: 'td' }, { collector: 'unused', dashboard: 'unused' }, { certificateAuth: true });
    expect(cert.slice(0, 2)).toEqual([`CREATE USER IF NOT EXISTS tc IDENTIFIED WITH ssl_certificate CN 'tc'`, `CREATE USER IF NOT EXISTS td IDENTIFIED WITH ssl_certificate CN 'td'`]);
    expect(cert.slice(2)).toEqual(sql.slice(2));
    expect(cert.join('\n')).not.toContain('unused');
  });
  it('quotes passwords and refuses odd user names', () => {
    expect(sql[0]).toContain("BY 'p\\'w'");
    expect(() => grantStatements('telmark', { collector: 'a;b', dashboard: 'td' }, { collector: '', dashboard: '' })).toThrow(/not a valid/);
  });
});
