import { describe, expect, it } from 'vitest';
import { grantStatements } from '../../schema/grants.ts';

describe('least-privilege grants', () => {
  const sql = grantStatements('telmark', { collector: 'tc', dashboard: 'td' }, { collector: "p'w", dashboard: 'x' });
  it('the collector may only insert into ingest tables and read sites', () => {
    const collector = sql.filter((s) => s.startsWith('GRANT') && s.endsWith(' TO tc'));
    expect(collector.every((s) => /^GRANT (INSERT ON telmark\.ingest_\w+|SELECT ON telmark\.sites) TO tc$/.test(s))).toBe(true);
    expect(collector).toHaveLength(5);
  });
  it('the dashboard may only read', () => {
    const dashboard = sql.filter((s) => s.startsWith('GRANT') && s.endsWith(' TO td'));
    expect(dashboard.every((s) => s.startsWith('GRANT SELECT ON telmark.'))).toBe(true);
    expect(dashboard.some((s) => s.includes('ingest_'))).toBe(false);
  });
  it('quotes passwords and refuses odd user names', () => {
    expect(sql[0]).toContain("BY 'p\\'w'");
    expect(() => grantStatements('telmark', { collector: 'a;b', dashboard: 'td' }, { collector: '', dashboard: '' })).toThrow(/not a valid/);
  });
});
