// Ad spend imports: a CSV (header row, any column order) or JSON rows become validated spend rows,
// all or nothing. The first problem is reported by line (the CSV header is line 1; in JSON, row 1
// is line 1) and field, and nothing is stored. Ad platforms name their columns differently
// (Google Ads: "Day", "Campaign", "Cost", "Currency code"; Meta: "Reporting starts", "Campaign
// name", "Amount spent (EUR)"), so a mapping renames columns, and defaults fill columns an export
// lacks (Google Ads has no utm_source: `source=google`).
import { parse as parseCsv } from 'csv-parse/sync';
import { cleanUtmValue } from '../../../collector/classify/utm.ts';
import { spendKey, type SpendRow } from '../../../schema/ad-spend.ts';
import { isCurrency } from '../../../schema/money.ts';

/** The import's columns: the required ones, then the optional ones. */
export const SPEND_COLUMNS = ['date', 'utm_source', 'utm_campaign', 'spend', 'currency', 'utm_medium', 'clicks', 'impressions'] as const;
export type SpendColumn = (typeof SPEND_COLUMNS)[number];
const REQUIRED: SpendColumn[] = ['date', 'utm_source', 'utm_campaign', 'spend', 'currency'];
/** Columns a default may fill for every row. */
export const DEFAULTABLE: SpendColumn[] = ['utm_source', 'utm_medium', 'currency'];

/** Rows per import: a year of 130 campaigns a day. Bigger files are split by the caller. */
export const MAX_SPEND_ROWS = 50_000;

export interface SpendImportOptions {
  /** The export's column name -> ours, e.g. {"Day":"date","Campaign":"utm_campaign","Cost":"spend"}. */
  map?: Record<string, string>;
  /** Values for columns the export lacks, e.g. {"utm_source":"google","currency":"EUR"}. */
  defaults?: Partial<Record<SpendColumn, string>>;
}

export class SpendImportError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    message: string,
  ) {
    super(line > 0 ? `line ${line}, ${field}: ${message}` : `${field}: ${message}`);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT = /^\d{1,15}(\.\d{1,8})?$/;
const COUNT = /^\d{1,15}$/;

function isRealDate(d: string): boolean {
  if (!DATE.test(d)) return false;
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}

/** Checks the mapping and defaults themselves (before any row). */
function checkOptions(opts: SpendImportOptions): void {
  for (const [from, to] of Object.entries(opts.map ?? {})) {
    if (!(SPEND_COLUMNS as readonly string[]).includes(to)) throw new SpendImportError(0, 'map', `"${from}" maps to "${to}", which is none of ${SPEND_COLUMNS.join(', ')}`);
  }
  for (const key of Object.keys(opts.defaults ?? {})) {
    if (!(DEFAULTABLE as readonly string[]).includes(key)) throw new SpendImportError(0, 'defaults', `only ${DEFAULTABLE.join(', ')} can have a default, not "${key}"`);
  }
}

/** One row of named cells -> a spend row, or the error naming its line and field. */
function toSpendRow(cells: Record<string, string | number | null | undefined>, line: number, opts: SpendImportOptions): SpendRow {
  const value = (column: SpendColumn): string => {
    const v = cells[column];
    const text = v === undefined || v === null ? '' : String(v).trim();
    return text === '' ? (opts.defaults?.[column] ?? '').trim() : text;
  };
  for (const column of REQUIRED) if (value(column) === '') throw new SpendImportError(line, column, 'is required');
  const day = value('date');
  if (!isRealDate(day)) throw new SpendImportError(line, 'date', `"${day.slice(0, 40)}" is not a date in the form YYYY-MM-DD`);
  const amount = value('spend');
  if (!AMOUNT.test(amount)) throw new SpendImportError(line, 'spend', `"${amount.slice(0, 40)}" is not an amount such as 123.45 (no currency sign, no thousands separator, at most 8 decimals)`);
  const currency = value('currency').toUpperCase();
  if (!isCurrency(currency)) throw new SpendImportError(line, 'currency', `"${currency.slice(0, 40)}" is not an ISO 4217 currency code such as EUR`);
  const count = (column: 'clicks' | 'impressions'): number | null => {
    const v = value(column);
    if (v === '') return null;
    if (!COUNT.test(v)) throw new SpendImportError(line, column, `"${v.slice(0, 40)}" is not a whole number`);
    return Number(v);
  };
  // Exactly as the collector cleans the landing page's UTM values (source and medium lower-cased).
  const utmSource = cleanUtmValue(value('utm_source').toLowerCase());
  const utmCampaign = cleanUtmValue(value('utm_campaign'));
  if (utmSource === '') throw new SpendImportError(line, 'utm_source', 'is required');
  if (utmCampaign === '') throw new SpendImportError(line, 'utm_campaign', 'is required');
  return {
    day,
    utmSource,
    utmCampaign,
    utmMedium: cleanUtmValue(value('utm_medium').toLowerCase()),
    amount,
    currency,
    clicks: count('clicks'),
    impressions: count('impressions'),
  };
}

/** Renames a row's keys through the mapping (unmapped keys are taken as they are, lower-cased). */
function mapped(raw: Record<string, unknown>, map: Record<string, string>): Record<string, string | number | null | undefined> {
  const out: Record<string, string | number | null | undefined> = {};
  for (const [key, v] of Object.entries(raw)) {
    const target = map[key] ?? key.trim().toLowerCase();
    if (typeof v === 'string' || typeof v === 'number' || v === null || v === undefined) out[target] = v;
    else out[target] = JSON.stringify(v);
  }
  return out;
}

/** Validates every row; the same key twice in one import is an error (which one would win?). */
function finish(rows: Array<{ cells: Record<string, string | number | null | undefined>; line: number }>, opts: SpendImportOptions): SpendRow[] {
  if (rows.length === 0) throw new SpendImportError(0, 'rows', 'the import has no rows');
  if (rows.length > MAX_SPEND_ROWS) throw new SpendImportError(0, 'rows', `at most ${MAX_SPEND_ROWS} rows per import; split the file`);
  const seen = new Map<string, number>();
  return rows.map(({ cells, line }) => {
    const row = toSpendRow(cells, line, opts);
    const key = spendKey(row);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new SpendImportError(line, 'utm_campaign', `the same date, source, campaign and medium as line ${earlier}`);
    seen.set(key, line);
    return row;
  });
}

/** A CSV export (header row first) -> spend rows. */
export function parseSpendCsv(text: string, opts: SpendImportOptions = {}): SpendRow[] {
  checkOptions(opts);
  let records: Array<Record<string, string>>;
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), { columns: (header: string[]) => header.map((h) => h.trim()), skip_empty_lines: true, trim: true, relax_column_count: false }) as Array<Record<string, string>>;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    throw new SpendImportError(e.lines ?? 0, 'csv', (e.message ?? 'not a valid CSV').replace(/^Invalid Record Length: /, 'wrong number of columns: '));
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const map = opts.map ?? {};
  const columns = new Set(Object.keys(mapped(Object.fromEntries(parseCsvHeader(header).map((h) => [h, ''])), map)));
  for (const column of REQUIRED) {
    if (!columns.has(column) && !opts.defaults?.[column]) throw new SpendImportError(1, column, `no "${column}" column (map one with map, e.g. "Cost=spend"${DEFAULTABLE.includes(column) ? `, or give a default` : ''})`);
  }
  // Line numbers: the header is line 1, the first record line 2 (records span one line each in exports).
  return finish(records.map((r, i) => ({ cells: mapped(r, map), line: i + 2 })), opts);
}

function parseCsvHeader(header: string): string[] {
  try {
    return ((parseCsv(header, { trim: true }) as string[][])[0] ?? []).map((h) => h.trim());
  } catch {
    return [];
  }
}

/** JSON `{"rows":[{...}, ...]}` -> spend rows (row 1 is line 1). */
export function parseSpendJson(body: unknown, opts: SpendImportOptions = {}): SpendRow[] {
  checkOptions(opts);
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) throw new SpendImportError(0, 'rows', 'the body must be {"rows":[{...}, ...]}');
  return finish(
    rows.map((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new SpendImportError(i + 1, 'row', 'must be an object');
      return { cells: mapped(r as Record<string, unknown>, opts.map ?? {}), line: i + 1 };
    }),
    opts,
  );
}

/** "Day=date,Campaign=utm_campaign" -> {Day: "date", Campaign: "utm_campaign"} (CLI and query string). */
export function parsePairs(text: string | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new SpendImportError(0, what, `"${pair}" is not NAME=VALUE`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}
