// One Stats API answer as a CSV file: a header row, then one row per result. Columns: the
// dimensions (by their API names: `visit:source`, `time:day`), then the metrics by their API
// names. A money metric (total_revenue, spend, cpa…) takes two columns, `<metric>` (the exact
// decimal) and `<metric>_currency`, so a spreadsheet can add the amounts up. A value the API
// answers as null (nothing to divide by) is an empty cell. csv-stringify does the quoting: a
// page path or campaign may hold commas, quotes or line breaks.
import { stringify } from 'csv-stringify/sync';
import { MONEY_METRICS } from '../stats/dimensions.ts';
import type { Money } from '../stats/money.ts';
import type { StatsResponse } from '../stats/run.ts';

const isMoney = (v: unknown): v is Money => typeof v === 'object' && v !== null && 'currency' in v;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is prefixed with
 * a quote (OWASP's advice on CSV injection): campaign names and paths come from the open web.
 */
function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function answerToCsv(answer: Pick<StatsResponse, 'results'>, dimensions: readonly string[], metrics: readonly string[]): string {
  const money = metrics.map((m) => (MONEY_METRICS as readonly string[]).includes(m));
  const header = [...dimensions, ...metrics.flatMap((m, i) => (money[i] ? [m, `${m}_currency`] : [m]))];
  const rows = answer.results.map((r) => [
    ...r.dimensions.map(safeText),
    ...r.metrics.flatMap((v, i) => {
      if (!money[i]) return [v === null || v === undefined ? '' : String(v)];
      return isMoney(v) ? [String(v.value), v.currency] : ['', ''];
    }),
  ]);
  return stringify([header, ...rows]);
}
