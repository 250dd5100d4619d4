// The security API at scale: every collector holds its own abuse buffer (a load balancer spreads
// one address over several), so each operation asks all of COLLECTOR_ADMIN_URLS at once and
// merges. One collector down must not blind security staff, so answers are partial rather than
// failed until no collector answers at all. Messages name collectors, never a client address.
import type { AbuseOperations, AbuseRecord, AbuseSummary, FlaggedPage } from '../../../collector/abuse/types.ts';
import { CollectorsUnavailable, PageTooDeep, type CollectorError, type EraseReport, type PartialAnswer } from '../../../collector/abuse/api/errors.ts';

import { MAX_LIMIT } from '../../../collector/abuse/api/routes.ts';
import type { CollectorAdminTls } from './config.ts';
import { tlsFetch } from './tls-fetch.ts';

export { CollectorsUnavailable } from '../../../collector/abuse/api/errors.ts';

/** Deepest flagged entry fan-out reaches: each collector is asked for its first page*limit, and caps limit. */
const COLLECTOR_PAGE_MAX = MAX_LIMIT;

/** A record with the collector (base URL) that holds it. */
export type CollectedRecord = AbuseRecord & { collector?: string };


export interface MergedFlaggedPage extends FlaggedPage, PartialAnswer {
  results: CollectedRecord[];
}

/**
 * get(ip) at scale: the most recently seen collector's record at the top level (so it is still an
 * AbuseRecord), `collector` naming it, `held_by` every collector holding the address and
 * `records` each of their records (counts are per collector: they are not added up, because
 * sliding windows and flags do not add).
 */
export interface MergedRecord extends AbuseRecord, PartialAnswer {
  collector: string;
  held_by: string[];
  records: Array<AbuseRecord & { collector: string }>;
}

export interface MergedSummary extends AbuseSummary, PartialAnswer {
  collectors: Array<{ url: string; ok: boolean; error?: string; summary?: AbuseSummary }>;
}

export interface RemoteOptions {
  /** Collector admin base URLs (COLLECTOR_ADMIN_URLS), e.g. http://10.0.0.5:8002. */
  urls: string[];
  /** A key in the collectors' SECURITY_API_KEYS. */
  key: string;
  /** Per collector, for the whole request including its body (default 5000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** COLLECTOR_ADMIN_CA and the client certificate for https:// collectors (security/config.ts). */
  tls?: CollectorAdminTls;
}

type Answer<T> = { url: string; ok: true; value: T } | { url: string; ok: false; error: string };

/** Thrown inside an interpreter: the collector answered, but not with something usable. */
class BadAnswer extends Error {}

export class RemoteAbuseOperations implements AbuseOperations {
  readonly urls: string[];
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(opts: RemoteOptions) {
    if (opts.urls.length === 0) throw new Error('RemoteAbuseOperations needs at least one collector admin URL');
    this.urls = opts.urls.map((u) => u.replace(/\/+$/, ''));
    this.key = opts.key;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.fetchFn = opts.fetch ?? (opts.tls ? tlsFetch(opts.tls) : fetch);
  }

  async flagged(page: number, limit: number): Promise<MergedFlaggedPage> {
    // One collector pages for itself; several must each give their newest page*limit to merge.
    const single = this.urls.length === 1;
    const want = page * limit;
    if (!single && want > COLLECTOR_PAGE_MAX) {
      throw new PageTooDeep(`page * limit may be at most ${COLLECTOR_PAGE_MAX} when ${this.urls.length} collectors are merged`);
    }
    const query = single ? `page=${page}&limit=${limit}` : `page=1&limit=${want}`;
    const answers = await this.fanOut('GET', `/admin/abuse/flagged?${query}`, (status, body) => {
      if (status === 200 && isFlaggedPage(body)) return body;
      throw new BadAnswer(failureText(status));
    });
    const { ok, errors } = this.split(answers, 'flagged list');
    const merged = ok.flatMap((a) => a.value.results.map((r): CollectedRecord => ({ ...r, collector: a.url })));
    // Stable sort: ties keep collector order and each collector's own order.
    merged.sort((a, b) => flaggedAt(b) - flaggedAt(a));
    const start = single ? 0 : (page - 1) * limit;
    return {
      results: merged.slice(start, start + limit),
      meta: { page, limit, total: ok.reduce((sum, a) => sum + a.value.meta.total, 0) },
      ...partial(errors),
    };
  }

  async get(ip: string): Promise<MergedRecord | undefined> {
    const answers = await this.fanOut('GET', ipPath(ip), (status, body) => {
      if (status === 200 && isRecord(body)) return body;
      if (isNotHeld(status, body)) return null;
      throw new BadAnswer(failureText(status));
    });
    const { ok, errors } = this.split(answers, 'address lookup');
    const held = ok.flatMap((a) => (a.value ? [{ ...a.value, collector: a.url }] : []));
    if (held.length === 0) {
      // "Not held" is only true if every collector said so.
      if (errors.length > 0) throw this.unknown(errors, 'whether the address is held');
      return undefined;
    }
    const latest = held.reduce((best, r) => (Date.parse(r.last_seen) > Date.parse(best.last_seen) ? r : best));
    return { ...latest, held_by: held.map((r) => r.collector), records: held, ...partial(errors) };
  }

  async erase(ip: string): Promise<boolean> {
    return (await this.eraseDetailed(ip)).erased;
  }

  /** erase() with which collectors erased and which could not be asked. */
  async eraseDetailed(ip: string): Promise<EraseReport> {
    const answers = await this.fanOut('DELETE', ipPath(ip), (status, body) => {
      if (status === 200) return true;
      if (isNotHeld(status, body)) return false;
      throw new BadAnswer(failureText(status));
    });
    const { ok, errors } = this.split(answers, 'erase');
    const erasedBy = ok.filter((a) => a.value).map((a) => a.url);
    if (erasedBy.length === 0 && errors.length > 0) throw this.unknown(errors, 'whether they hold the address; nothing was erased elsewhere');
    return { erased: erasedBy.length > 0, ...(erasedBy.length > 0 ? { erased_by: erasedBy } : {}), ...partial(errors) };
  }

  async summary(): Promise<MergedSummary> {
    const answers = await this.fanOut('GET', '/admin/abuse/summary', (status, body) => {
      if (status === 200 && isSummary(body)) return body;
      throw new BadAnswer(failureText(status));
    });
    const { ok, errors } = this.split(answers, 'summary');
    const first = ok[0]!.value;
    const sum = (field: 'held' | 'flagged' | 'max_ips' | 'memory_bytes' | 'evicted_total' | 'expired_total' | 'erased_total') =>
      ok.reduce((total, a) => total + a.value[field], 0);
    return {
      held: sum('held'),
      flagged: sum('flagged'),
      max_ips: sum('max_ips'),
      memory_bytes: sum('memory_bytes'),
      oldest_entry_age_s: Math.max(...ok.map((a) => a.value.oldest_entry_age_s)),
      // Settings come from one collector: they are meant to be the same everywhere.
      ttl_s: first.ttl_s,
      max_age_s: first.max_age_s,
      evicted_total: sum('evicted_total'),
      expired_total: sum('expired_total'),
      erased_total: sum('erased_total'),
      thresholds: first.thresholds,
      collectors: answers.map((a) => (a.ok ? { url: a.url, ok: true, summary: a.value } : { url: a.url, ok: false, error: a.error })),
      ...partial(errors),
    };
  }

  // -------------------------------------------------------------------------------------------

  /** Asks every collector at once; each answer is interpreted or becomes that collector's error. */
  private fanOut<T>(method: 'GET' | 'DELETE', path: string, interpret: (status: number, body: unknown) => T): Promise<Array<Answer<T>>> {
    return Promise.all(
      this.urls.map(async (url): Promise<Answer<T>> => {
        try {
          const res = await this.fetchFn(url + path, {
            method,
            headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' },
            signal: AbortSignal.timeout(this.timeoutMs),
          });
          // The signal covers the body too, so a collector that stalls mid-answer times out.
          const body: unknown = await res.json().catch((err: unknown) => {
            if (isTimeout(err)) throw err;
            return undefined;
          });
          return { url, ok: true, value: interpret(res.status, body) };
        } catch (err) {
          return { url, ok: false, error: this.describe(err) };
        }
      }),
    );
  }

  /** The answers that came, and errors for the rest; throws when no collector answered. */
  private split<T>(answers: Array<Answer<T>>, what: string): { ok: Array<Answer<T> & { ok: true }>; errors: CollectorError[] } {
    const ok = answers.filter((a): a is Answer<T> & { ok: true } => a.ok);
    const errors = answers.flatMap((a) => (a.ok ? [] : [{ collector: a.url, error: a.error }]));
    if (ok.length === 0) throw new CollectorsUnavailable(`no collector answered (${what}): ${answers.length} of ${answers.length} failed`, errors);
    return { ok, errors };
  }

  private unknown(errors: CollectorError[], what: string): CollectorsUnavailable {
    return new CollectorsUnavailable(`${errors.length} of ${this.urls.length} collectors did not answer, so it is unknown ${what}`, errors);
  }

  /** A failure in words that carry no address: fetch errors quote the URL, which holds the IP. */
  private describe(err: unknown): string {
    if (err instanceof BadAnswer) return err.message;
    if (isTimeout(err)) return `timed out after ${this.timeoutMs} ms`;
    const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    if (typeof code !== 'string' || !/^[A-Z0-9_]+$/.test(code)) return 'unreachable';
    return tlsProblem(code) ?? `unreachable (${code})`;
  }
}

/** TLS failures in words that say which setting to look at (Node's error codes, OpenSSL's alerts). */
function tlsProblem(code: string): string | undefined {
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code) && !/ALERT/.test(code)) {
    return `TLS: the collector's certificate is not trusted (${code}); check COLLECTOR_ADMIN_CA and the certificate's name`;
  }
  if (/^ERR_SSL_.*ALERT/.test(code)) {
    return `TLS: the collector refused the handshake (${code}); does it require a client certificate (COLLECTOR_ADMIN_CLIENT_CERT / _KEY)?`;
  }
  if (/^ERR_SSL_|^EPROTO$/.test(code)) return `TLS handshake failed (${code}); is the URL https:// and the listener speaking TLS?`;
  return undefined;
}

function ipPath(ip: string): string {
  return `/admin/abuse/ips/${encodeURIComponent(ip)}`;
}

function failureText(status: number): string {
  if (status === 401 || status === 403) return `HTTP ${status}: the collector refused the security key`;
  if (status >= 200 && status < 300) return `HTTP ${status} with an unexpected body`;
  return `HTTP ${status}`;
}

function partial(errors: CollectorError[]): PartialAnswer {
  return errors.length > 0 ? { partial: true, errors } : {};
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function flaggedAt(r: AbuseRecord): number {
  return r.flag ? Date.parse(r.flag.flagged_at) : 0;
}

/** 404 means "not held" only with the admin API's own body; any other 404 is a wrong URL. */
function isNotHeld(status: number, body: unknown): boolean {
  return status === 404 && isObject(body) && body.error === 'not held';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRecord(v: unknown): v is AbuseRecord {
  return isObject(v) && typeof v.ip === 'string' && typeof v.last_seen === 'string' && (v.flag === null || isObject(v.flag));
}

function isFlaggedPage(v: unknown): v is FlaggedPage {
  return isObject(v) && Array.isArray(v.results) && v.results.every(isRecord) && isObject(v.meta) && typeof v.meta.total === 'number';
}

function isSummary(v: unknown): v is AbuseSummary {
  return isObject(v) && typeof v.held === 'number' && typeof v.flagged === 'number' && isObject(v.thresholds);
}
