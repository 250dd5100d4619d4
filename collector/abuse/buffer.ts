// The one place a full client IP may live after its request is handled (privacy promise 1): memory
// only, bounded in count (ABUSE_MAX_IPS) and in time (ABUSE_TTL_S after last activity, never more
// than ABUSE_MAX_AGE_S after first seen). Nothing here is written to disk, ClickHouse, logs or
// metrics; a restart empties it.
//
// Layout, for memory: an entry's numbers live in typed-array columns indexed by a slot number
// (about 175 bytes a slot), one Map finds an address's slot, and two doubly linked lists through
// the slots (prev/next columns) keep entries in least-recently-seen order, one list for unflagged
// entries and one for flagged ones. Eviction takes the head of the unflagged list in O(1) without
// walking past flagged entries; the TTL sweep pops stale entries from the heads. A touch relinks
// the slot and leaves the Map alone: re-inserting Map keys to keep order would leave deleted
// entries behind that every new iterator has to step over (eviction cost grew with the buffer).
// A JS object per entry would cost several times as much at a million entries.
import { SITE_SLOTS, type AbuseConfig } from './config.ts';
import {
  ABUSE_RULES,
  type AbuseFlag,
  type AbuseRecord,
  type AbuseRule,
  type AbuseSummary,
  type FlaggedPage,
} from './types.ts';

/** Bot signals as bits of one byte (classify/bot.ts BotReason). */
const BOT_SIGNALS = ['empty-ua', 'short-ua', 'headless', 'automation', 'isbot'] as const;

const WINDOWS = { s10: 10_000, m1: 60_000, m10: 600_000 } as const;

/** Site names are interned to 16-bit ids; past this many distinct names new ones share id 0. */
const MAX_SITE_NAMES = 65_535;
const OTHER_SITES = '(other domains)';

/** Slots and generations pack into one number: a reference to an entry that is not its address. */
const SLOT_BITS = 2 ** 24;

const ENDED_FLAGS_MAX = 100_000;
const ENDED_FLAGS_KEPT_MS = 60_000;

/** Map entry, key string and flag bookkeeping per held address, estimated for the summary. */
const INDEX_BYTES_PER_ENTRY = 100;

export interface AbuseVerdict {
  /** Refers to the entry without naming the address; see isFlaggedRef. */
  ref: number;
  /** Set when the address is flagged (now or earlier). */
  flag?: AbuseFlag;
  /** Seconds until the entry, and so the flag, ends if the address stays quiet. */
  retryAfterS: number;
}

type Columns = {
  /** LRU list links (slot numbers, -1 = none) and which list the slot is on. */
  prev: Int32Array;
  next: Int32Array;
  firstSeen: Float64Array;
  lastSeen: Float64Array;
  gen: Uint32Array;
  // Sliding-window counters: bucket index (time / window), current and previous bucket counts.
  e10b: Uint32Array; e10c: Uint32Array; e10p: Uint32Array;
  e1mb: Uint32Array; e1mc: Uint32Array; e1mp: Uint32Array;
  e10mb: Uint32Array; e10mc: Uint32Array; e10mp: Uint32Array;
  eTotal: Uint32Array;
  invb: Uint32Array; invc: Uint32Array; invp: Uint32Array; invTotal: Uint32Array;
  botb: Uint32Array; botc: Uint32Array; botp: Uint32Array; botTotal: Uint32Array; botSignals: Uint8Array;
  /** SITE_SLOTS per entry: site id and the second it was last named (0: empty). */
  siteId: Uint16Array;
  siteSeen: Uint32Array;
};

type ColumnName = keyof Columns;
const PER_SITE_SLOT: ColumnName[] = ['siteId', 'siteSeen'];

function allocate(capacity: number, from?: Columns): Columns {
  const make = <T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(name: ColumnName, Ctor: new (n: number) => T): T => {
    const width = PER_SITE_SLOT.includes(name) ? SITE_SLOTS : 1;
    const next = new Ctor(capacity * width);
    if (from) next.set(from[name] as unknown as ArrayLike<number> & T);
    return next;
  };
  const u32 = (n: ColumnName) => make(n, Uint32Array);
  return {
    prev: make('prev', Int32Array),
    next: make('next', Int32Array),
    firstSeen: make('firstSeen', Float64Array),
    lastSeen: make('lastSeen', Float64Array),
    gen: u32('gen'),
    e10b: u32('e10b'), e10c: u32('e10c'), e10p: u32('e10p'),
    e1mb: u32('e1mb'), e1mc: u32('e1mc'), e1mp: u32('e1mp'),
    e10mb: u32('e10mb'), e10mc: u32('e10mc'), e10mp: u32('e10mp'),
    eTotal: u32('eTotal'),
    invb: u32('invb'), invc: u32('invc'), invp: u32('invp'), invTotal: u32('invTotal'),
    botb: u32('botb'), botc: u32('botc'), botp: u32('botp'), botTotal: u32('botTotal'),
    botSignals: make('botSignals', Uint8Array),
    siteId: make('siteId', Uint16Array),
    siteSeen: u32('siteSeen'),
  };
}

/** Bytes one slot takes across all columns. */
export const BYTES_PER_SLOT = (() => {
  const one = allocate(1);
  return Object.values(one).reduce((sum, col) => sum + col.byteLength, 0);
})();

/**
 * Adds n at time t to a sliding-window counter (fixed windows of w ms, current and previous kept).
 * The estimate weights the previous window by how much of it still lies in the last w ms: exact
 * for a steady rate, and never more than one window's count off.
 */
function bump(b: Uint32Array, c: Uint32Array, p: Uint32Array, slot: number, t: number, w: number): void {
  const bucket = Math.floor(t / w);
  const last = b[slot]!;
  if (bucket > last) {
    p[slot] = bucket === last + 1 ? c[slot]! : 0;
    c[slot] = 0;
    b[slot] = bucket;
  }
  c[slot]!++;
}

function estimate(b: Uint32Array, c: Uint32Array, p: Uint32Array, slot: number, t: number, w: number): number {
  const bucket = Math.floor(t / w);
  const last = b[slot]!;
  const stillIn = 1 - (t % w) / w;
  if (bucket <= last) return c[slot]! + p[slot]! * stillIn;
  if (bucket === last + 1) return c[slot]! * stillIn;
  return 0;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class AbuseBuffer {
  private cols: Columns;
  private capacity: number;
  /** Next never-used slot; freed slots are reused first. */
  private nextSlot = 0;
  private readonly freeSlots: number[] = [];
  /** Address -> slot. */
  private readonly index = new Map<string, number>();
  /** Slot -> address, for entries found through the lists (eviction, sweeps, listings). */
  private keys: Array<string | undefined> = [];
  /** The two LRU lists: head (stalest) and tail (freshest) slots and lengths. */
  private readonly lists = { unflagged: { head: -1, tail: -1, size: 0 }, flagged: { head: -1, tail: -1, size: 0 } };
  private readonly flags = new Map<number, AbuseFlag>();
  /**
   * References of flagged entries that ended (erased, evicted, expired) in the last minute, with
   * when: events held from them are still dropped, the flag having been decided. At most
   * ENDED_FLAGS_MAX; the oldest go first.
   */
  private readonly endedFlags = new Map<number, number>();
  private readonly siteIds = new Map<string, number>([[OTHER_SITES, 0]]);
  private readonly siteNames: string[] = [OTHER_SITES];
  private readonly ttlMs: number;
  private readonly maxAgeMs: number;
  private lastAgeScan = 0;
  private counters = { evicted: 0, expired: 0, erased: 0, flagged: 0 };

  constructor(
    readonly config: Pick<AbuseConfig, 'maxIps' | 'ttlS' | 'maxAgeS' | 'thresholds'>,
    private readonly now: () => number = Date.now,
  ) {
    if (config.maxIps < 1) throw new Error('AbuseBuffer needs maxIps >= 1 (ABUSE_MAX_IPS=0 turns the buffer off instead)');
    this.ttlMs = config.ttlS * 1000;
    this.maxAgeMs = config.maxAgeS * 1000;
    this.capacity = Math.min(config.maxIps, 1024);
    this.cols = allocate(this.capacity);
  }

  get size(): number {
    return this.index.size;
  }

  get flaggedCount(): number {
    return this.lists.flagged.size;
  }

  /** Lifetime counts for /metrics (numbers only, never an address). */
  get totals(): Readonly<{ evicted: number; expired: number; erased: number; flagged: number }> {
    return this.counters;
  }

  /**
   * A beacon event from `ip` (canonical text, see address.ts) naming `site`; `bot` is the bot
   * signal its user agent gave, if any. Counts it, applies the rules, and says whether the
   * address is flagged.
   */
  recordEvent(ip: string, site: string, bot: string | null): AbuseVerdict {
    const t = this.now();
    const slot = this.touch(ip, t);
    this.countEvent(slot, t);
    this.noteSite(slot, site, t);
    const c = this.cols;
    if (bot) {
      bump(c.botb, c.botc, c.botp, slot, t, WINDOWS.m1);
      c.botTotal[slot]!++;
      const bit = BOT_SIGNALS.indexOf(bot as (typeof BOT_SIGNALS)[number]);
      if (bit >= 0) c.botSignals[slot]! |= 1 << bit;
    }
    return this.verdict(ip, slot, t);
  }

  /** A request from `ip` refused as invalid (4xx): counted for the invalid_1m rule. */
  recordInvalid(ip: string): AbuseVerdict {
    const t = this.now();
    const slot = this.touch(ip, t);
    const c = this.cols;
    bump(c.invb, c.invc, c.invp, slot, t, WINDOWS.m1);
    c.invTotal[slot]!++;
    return this.verdict(ip, slot, t);
  }

  /**
   * Before a request is read: if `ip` is flagged, its request is activity (the flag lasts while it
   * keeps sending) and the answer is how long to wait. Unflagged addresses are not touched here.
   */
  flaggedVerdict(ip: string): AbuseVerdict | undefined {
    if (this.lists.flagged.size === 0) return undefined;
    const slot = this.index.get(ip);
    if (slot === undefined || !this.flags.has(slot)) return undefined;
    const t = this.now();
    if (this.isExpired(slot, t)) {
      this.remove(ip, slot, 'expired');
      return undefined;
    }
    this.markSeen(slot, t);
    this.countEvent(slot, t);
    return { ref: this.ref(slot), flag: this.flags.get(slot), retryAfterS: this.retryAfterS(slot, t) };
  }

  /**
   * Whether the entry a verdict referred to is flagged, or was when it ended in the last minute
   * (held events of an address flagged meanwhile are dropped even if its record was erased since).
   */
  isFlaggedRef(ref: number): boolean {
    if (this.endedFlags.has(ref)) return true;
    const slot = ref % SLOT_BITS;
    const gen = Math.floor(ref / SLOT_BITS);
    return slot < this.capacity && this.cols.gen[slot] === gen && this.flags.has(slot);
  }

  /** The full record for `ip`, or undefined when nothing is held. */
  get(ip: string): AbuseRecord | undefined {
    const t = this.now();
    const slot = this.live(ip, t);
    return slot === undefined ? undefined : this.record(ip, slot, t);
  }

  /**
   * For an unflagged entry: the first rule whose count is past half its threshold. Such an address
   * is under watch, and erasing its record on request would let a script reset its own counts.
   */
  nearLimit(ip: string): { rule: AbuseRule; reason: string } | undefined {
    const t = this.now();
    const slot = this.live(ip, t);
    if (slot === undefined || this.flags.has(slot)) return undefined;
    for (const rule of ABUSE_RULES) {
      const limit = this.config.thresholds[rule];
      if (limit <= 0) continue;
      const value = this.measureOne(rule, slot, t);
      if (value * 2 > limit) return { rule, reason: RULE_TEXT[rule](Math.floor(value), limit) };
    }
    return undefined;
  }

  /** Erases everything held about `ip`; false when nothing was held. */
  erase(ip: string): boolean {
    const slot = this.live(ip, this.now());
    if (slot === undefined) return false;
    this.remove(ip, slot, 'erased');
    return true;
  }

  /** Flagged entries, most recently flagged first. */
  flagged(page: number, limit: number): FlaggedPage {
    const t = this.now();
    const live: Array<[string, number]> = [];
    for (let slot = this.lists.flagged.head; slot !== -1; ) {
      const next = this.cols.next[slot]!;
      const ip = this.keys[slot]!;
      if (this.isExpired(slot, t)) this.remove(ip, slot, 'expired');
      else live.push([ip, slot]);
      slot = next;
    }
    live.sort((a, b) => this.flags.get(b[1])!.at - this.flags.get(a[1])!.at);
    const start = (page - 1) * limit;
    return {
      results: live.slice(start, start + limit).map(([ip, slot]) => this.record(ip, slot, t)),
      meta: { page, limit, total: live.length },
    };
  }

  summary(): AbuseSummary {
    const t = this.now();
    this.sweep();
    let oldest = t;
    for (const slot of this.index.values()) oldest = Math.min(oldest, this.cols.firstSeen[slot]!);
    return {
      held: this.size,
      flagged: this.lists.flagged.size,
      max_ips: this.config.maxIps,
      memory_bytes: this.memoryBytes(),
      oldest_entry_age_s: Math.round((t - oldest) / 1000),
      ttl_s: this.config.ttlS,
      max_age_s: this.config.maxAgeS,
      evicted_total: this.counters.evicted,
      expired_total: this.counters.expired,
      erased_total: this.counters.erased,
      thresholds: { ...this.config.thresholds },
    };
  }

  /** Estimated bytes: the columns (allocated capacity) plus the index per held entry. */
  memoryBytes(): number {
    return this.capacity * BYTES_PER_SLOT + this.size * INDEX_BYTES_PER_ENTRY;
  }

  /**
   * Drops entries past their TTL (from the stale end of each index, so the cost is the number
   * dropped) and, once a minute, walks everything for entries past the age cap, which an address
   * active all day reaches without ever going stale. Reads check both limits too, so a missed
   * sweep never shows an entry that should be gone.
   */
  sweep(): void {
    const t = this.now();
    for (const list of [this.lists.unflagged, this.lists.flagged]) {
      while (list.head !== -1 && t - this.cols.lastSeen[list.head]! >= this.ttlMs) this.remove(this.keys[list.head]!, list.head, 'expired');
    }
    for (const [ref, at] of this.endedFlags) {
      if (t - at < ENDED_FLAGS_KEPT_MS) break;
      this.endedFlags.delete(ref);
    }
    if (t - this.lastAgeScan >= 60_000 || t < this.lastAgeScan) {
      this.lastAgeScan = t;
      // Deleting the current entry while iterating a Map is well defined; no copy needed.
      for (const [ip, slot] of this.index) if (t - this.cols.firstSeen[slot]! >= this.maxAgeMs) this.remove(ip, slot, 'expired');
    }
  }

  // -------------------------------------------------------------------------------------------

  private countEvent(slot: number, t: number): void {
    const c = this.cols;
    bump(c.e10b, c.e10c, c.e10p, slot, t, WINDOWS.s10);
    bump(c.e1mb, c.e1mc, c.e1mp, slot, t, WINDOWS.m1);
    bump(c.e10mb, c.e10mc, c.e10mp, slot, t, WINDOWS.m10);
    c.eTotal[slot]!++;
  }

  private ref(slot: number): number {
    return this.cols.gen[slot]! * SLOT_BITS + slot;
  }

  private isExpired(slot: number, t: number): boolean {
    return t - this.cols.lastSeen[slot]! >= this.ttlMs || t - this.cols.firstSeen[slot]! >= this.maxAgeMs;
  }

  private expiresAt(slot: number): number {
    return Math.min(this.cols.lastSeen[slot]! + this.ttlMs, this.cols.firstSeen[slot]! + this.maxAgeMs);
  }

  private retryAfterS(slot: number, t: number): number {
    return Math.max(1, Math.ceil((this.expiresAt(slot) - t) / 1000));
  }

  /** The slot of a held, unexpired entry (an expired one is removed on the way). */
  private live(ip: string, t: number): number | undefined {
    const slot = this.index.get(ip);
    if (slot === undefined) return undefined;
    if (this.isExpired(slot, t)) {
      this.remove(ip, slot, 'expired');
      return undefined;
    }
    return slot;
  }

  /** Finds or creates the entry for ip and marks it most recently seen. */
  private touch(ip: string, t: number): number {
    const slot = this.live(ip, t);
    if (slot === undefined) return this.create(ip, t);
    this.markSeen(slot, t);
    return slot;
  }

  /** Moves a held entry to the fresh end of its list. */
  private markSeen(slot: number, t: number): void {
    const list = this.listOf(slot);
    if (list.tail !== slot) {
      this.unlink(slot, list);
      this.append(slot, list);
    }
    this.cols.lastSeen[slot] = Math.max(this.cols.lastSeen[slot]!, t);
  }

  private listOf(slot: number) {
    return this.flags.has(slot) ? this.lists.flagged : this.lists.unflagged;
  }

  private append(slot: number, list: { head: number; tail: number; size: number }): void {
    const { prev, next } = this.cols;
    prev[slot] = list.tail;
    next[slot] = -1;
    if (list.tail !== -1) next[list.tail] = slot;
    else list.head = slot;
    list.tail = slot;
    list.size++;
  }

  private unlink(slot: number, list: { head: number; tail: number; size: number }): void {
    const { prev, next } = this.cols;
    const p = prev[slot]!;
    const n = next[slot]!;
    if (p !== -1) next[p] = n;
    else list.head = n;
    if (n !== -1) prev[n] = p;
    else list.tail = p;
    list.size--;
  }

  private create(ip: string, t: number): number {
    if (this.size >= this.config.maxIps) {
      // The stalest unflagged entry goes first; only a buffer full of flagged entries loses one.
      const victim = this.lists.unflagged.head !== -1 ? this.lists.unflagged.head : this.lists.flagged.head;
      if (victim !== -1) this.remove(this.keys[victim]!, victim, 'evicted');
    }
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.nextSlot++;
      if (slot >= this.capacity) {
        this.capacity = Math.min(this.config.maxIps, this.capacity * 2);
        this.cols = allocate(this.capacity, this.cols);
      }
    }
    const c = this.cols;
    const gen = c.gen[slot]! + 1;
    for (const [name, col] of Object.entries(c) as Array<[ColumnName, Columns[ColumnName]]>) {
      if (PER_SITE_SLOT.includes(name)) col.fill(0, slot * SITE_SLOTS, (slot + 1) * SITE_SLOTS);
      else col[slot] = 0;
    }
    c.gen[slot] = gen;
    c.firstSeen[slot] = t;
    c.lastSeen[slot] = t;
    this.index.set(ip, slot);
    this.keys[slot] = ip;
    this.append(slot, this.lists.unflagged);
    return slot;
  }

  private remove(ip: string, slot: number, why: 'expired' | 'evicted' | 'erased'): void {
    if (this.flags.has(slot)) {
      if (this.endedFlags.size >= ENDED_FLAGS_MAX) this.endedFlags.delete(this.endedFlags.keys().next().value!);
      this.endedFlags.set(this.ref(slot), this.now());
    }
    this.unlink(slot, this.listOf(slot));
    this.index.delete(ip);
    this.keys[slot] = undefined;
    this.flags.delete(slot);
    // A new generation, so references held for this entry (isFlaggedRef) stop matching.
    this.cols.gen[slot]!++;
    this.freeSlots.push(slot);
    this.counters[why]++;
  }

  private siteIdOf(site: string): number {
    let id = this.siteIds.get(site);
    if (id === undefined) {
      if (this.siteNames.length > MAX_SITE_NAMES) return 0;
      id = this.siteNames.length;
      this.siteNames.push(site);
      this.siteIds.set(site, id);
    }
    return id;
  }

  /** Remembers the site in one of the entry's slots: its own, an empty one, or the stalest. */
  private noteSite(slot: number, site: string, t: number): void {
    if (!site) return;
    const id = this.siteIdOf(site.slice(0, 253));
    const sec = Math.floor(t / 1000);
    const base = slot * SITE_SLOTS;
    const { siteId, siteSeen } = this.cols;
    let target = base;
    for (let j = base; j < base + SITE_SLOTS; j++) {
      if (siteSeen[j] !== 0 && siteId[j] === id) {
        target = j;
        break;
      }
      if (siteSeen[j]! < siteSeen[target]!) target = j;
    }
    siteId[target] = id;
    siteSeen[target] = sec;
  }

  private sitesLastMinute(slot: number, t: number): number {
    const sec = Math.floor(t / 1000);
    let n = 0;
    for (let j = slot * SITE_SLOTS; j < (slot + 1) * SITE_SLOTS; j++) {
      const seen = this.cols.siteSeen[j]!;
      if (seen !== 0 && sec - seen < 60) n++;
    }
    return n;
  }

  private measure(slot: number, t: number): Record<AbuseRule, number> {
    return Object.fromEntries(ABUSE_RULES.map((rule) => [rule, this.measureOne(rule, slot, t)])) as Record<AbuseRule, number>;
  }

  private verdict(ip: string, slot: number, t: number): AbuseVerdict {
    let flag = this.flags.get(slot);
    if (!flag) {
      flag = this.evaluate(slot, t);
      if (flag) {
        this.unlink(slot, this.lists.unflagged);
        this.flags.set(slot, flag);
        this.append(slot, this.lists.flagged);
        this.counters.flagged++;
      }
    }
    return { ref: this.ref(slot), flag, retryAfterS: this.retryAfterS(slot, t) };
  }

  /** The first rule whose count is over its threshold (thresholds of 0 are off). Runs per event: no allocation unless it flags. */
  private evaluate(slot: number, t: number): AbuseFlag | undefined {
    for (const rule of ABUSE_RULES) {
      const limit = this.config.thresholds[rule];
      if (limit <= 0) continue;
      const value = this.measureOne(rule, slot, t);
      if (value > limit) return { rule, reason: RULE_TEXT[rule](Math.floor(value), limit), at: t };
    }
    return undefined;
  }

  private measureOne(rule: AbuseRule, slot: number, t: number): number {
    const c = this.cols;
    switch (rule) {
      case 'events_10s':
        return estimate(c.e10b, c.e10c, c.e10p, slot, t, WINDOWS.s10);
      case 'events_1m':
        return estimate(c.e1mb, c.e1mc, c.e1mp, slot, t, WINDOWS.m1);
      case 'events_10m':
        return estimate(c.e10mb, c.e10mc, c.e10mp, slot, t, WINDOWS.m10);
      case 'invalid_1m':
        return estimate(c.invb, c.invc, c.invp, slot, t, WINDOWS.m1);
      case 'sites_1m':
        return this.sitesLastMinute(slot, t);
      case 'bot_1m':
        return estimate(c.botb, c.botc, c.botp, slot, t, WINDOWS.m1);
    }
  }

  private record(ip: string, slot: number, t: number): AbuseRecord {
    const c = this.cols;
    const v = this.measure(slot, t);
    const base = slot * SITE_SLOTS;
    const sites: Array<[number, string]> = [];
    for (let j = base; j < base + SITE_SLOTS; j++) if (c.siteSeen[j] !== 0) sites.push([c.siteSeen[j]!, this.siteNames[c.siteId[j]!]!]);
    sites.sort((a, b) => b[0] - a[0]);
    const flag = this.flags.get(slot);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      ip,
      first_seen: iso(c.firstSeen[slot]!),
      last_seen: iso(c.lastSeen[slot]!),
      expires_at: iso(this.expiresAt(slot)),
      events: { last_10s: round(v.events_10s), last_1m: round(v.events_1m), last_10m: round(v.events_10m), total: c.eTotal[slot]! },
      invalid_requests: { last_1m: round(v.invalid_1m), total: c.invTotal[slot]! },
      sites: sites.map(([, name]) => name),
      sites_last_1m: v.sites_1m,
      bot_user_agents: {
        last_1m: round(v.bot_1m),
        total: c.botTotal[slot]!,
        signals: BOT_SIGNALS.filter((_, bit) => (c.botSignals[slot]! & (1 << bit)) !== 0),
      },
      flag: flag ? { rule: flag.rule, reason: flag.reason, flagged_at: iso(flag.at) } : null,
    };
  }
}

const RULE_TEXT: Record<AbuseRule, (n: number, limit: number) => string> = {
  events_10s: (n, l) => `${n} events in 10 seconds (limit ${l}, ABUSE_LIMIT_EVENTS_10S)`,
  events_1m: (n, l) => `${n} events in a minute (limit ${l}, ABUSE_LIMIT_EVENTS_1M)`,
  events_10m: (n, l) => `${n} events in 10 minutes (limit ${l}, ABUSE_LIMIT_EVENTS_10M)`,
  invalid_1m: (n, l) => `${n} invalid requests in a minute (limit ${l}, ABUSE_LIMIT_INVALID_1M)`,
  sites_1m: (n, l) => `${n} different sites in a minute (limit ${l}, ABUSE_LIMIT_SITES_1M)`,
  bot_1m: (n, l) => `${n} bot user agents in a minute (limit ${l}, ABUSE_LIMIT_BOT_1M)`,
};
