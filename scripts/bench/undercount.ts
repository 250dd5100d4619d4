// Part 4: how many visitors the truncated IP merges (DESIGN, privacy promise 3).
//
// Visitor keys are hash(daily salt, site, truncated IP, user agent, accept-language). Two people
// whose addresses share a /24 (IPv4) or /48 (IPv6) and whose browsers send the same user agent and
// Accept-Language become one visitor. This simulates one day of a site's audience on an ISP-like
// address space and counts distinct keys with the full IP and with the truncated IP, using the
// collector's own `visitorKey` and `truncateIp`. Deterministic: seeded PRNG, fixed salt.
//
// Importable: `runUndercount(scenarios)`.
import { truncateIp } from '../../collector/ip/truncate.ts';
import { visitorKey } from '../../collector/visitor-key.ts';
import { BENCH_SITE, WeightedPicker, fmtInt, fmtPct, prng, randInt, zipfPicker, zipfWeights, type Progress, type Rng } from './common.ts';
import { DESKTOP_BROWSERS, desktopPicker, pickAcceptLanguage, pickBrowser, type BrowserProfile } from './population.ts';

// ---------------------------------------------------------------------------------------------
// Assumptions (printed with the results)
// ---------------------------------------------------------------------------------------------

export type NetworkKind = 'fixedV4' | 'fixedV6' | 'mobileV4' | 'mobileV6' | 'office';
const NETWORK_KINDS: NetworkKind[] = ['fixedV4', 'fixedV6', 'mobileV4', 'mobileV6', 'office'];

/**
 * The address space a national (German-sized) audience comes from. Figures are round orders of
 * magnitude from public registry and operator data, not measurements of any one network.
 */
const ADDRESS_SPACE = {
  /** Fixed-line IPv4: 8 ISPs (Zipf market shares) over 200,000 /24s (~51M addresses). */
  fixedV4: { isps: 8, blocks24: 200_000 },
  /** Fixed-line IPv6: 20M households, one /56 each, handed out densely: 256 households per /48. */
  fixedV6: { isps: 8, households: 20_000_000, householdsPer48: 256 },
  /** Mobile IPv4 behind carrier-grade NAT: 3 carriers sharing 512 public /24s (131k addresses). */
  mobileV4: { carriers: 3, blocks24: 512 },
  /**
   * Mobile IPv6: each device gets its own /64, drawn at random from its carrier's gateway pools;
   * 4,096 /48s per carrier (e.g. 16 gateway pools of a /40 each).
   */
  mobileV6: { carriers: 3, per48: 4_096 },
  /**
   * Offices, campuses, public Wi-Fi: 20,000 organisations (Zipf sizes) each behind 1-4 public
   * addresses in business /24s; 70 % of an organisation's people use its one managed browser build.
   */
  office: { orgs: 20_000, managedBrowserShare: 0.7 },
} as const;

/** Share of phones among people on fixed lines (Wi-Fi at home). */
export const PHONES_ON_FIXED_LINES = 0.45;

export const NETWORK_MIXES: Record<string, Record<NetworkKind, number>> = {
  /** Roughly a German audience in 2025: ~45 % IPv6, half of the traffic from phones. */
  national: { fixedV4: 0.3, fixedV6: 0.25, mobileV4: 0.15, mobileV6: 0.2, office: 0.1 },
  /** A phone-first audience (social-media referrals, evening reading). */
  mobileHeavy: { fixedV4: 0.15, fixedV6: 0.1, mobileV4: 0.3, mobileV6: 0.4, office: 0.05 },
};

export interface UndercountScenario {
  name: string;
  visitorsPerDay: number;
  mix: keyof typeof NETWORK_MIXES;
  /**
   * Share of the national address space the audience comes from: 1 for a national site, 0.1 for
   * a regional one (ISPs assign addresses regionally, so a city's people share fewer networks).
   */
  addressSpaceShare: number;
  /** Sensitivity: multiplies the mobile pools (CGNAT /24s and IPv6 /48s), the least known figures. */
  mobilePoolScale?: number;
  seed: number;
  /** Independent days simulated (averaged); small sites vary a lot from day to day. */
  days: number;
}

export const UNDERCOUNT_SCENARIOS: UndercountScenario[] = [
  { name: 'small site, national', visitorsPerDay: 1_000, mix: 'national', addressSpaceShare: 1, seed: 11, days: 20 },
  { name: 'medium site, national', visitorsPerDay: 50_000, mix: 'national', addressSpaceShare: 1, seed: 12, days: 3 },
  { name: 'large site, national', visitorsPerDay: 1_000_000, mix: 'national', addressSpaceShare: 1, seed: 13, days: 1 },
  { name: 'large site, national, mobile pools 4x larger', visitorsPerDay: 1_000_000, mix: 'national', addressSpaceShare: 1, mobilePoolScale: 4, seed: 17, days: 1 },
  { name: 'medium site, phone-first', visitorsPerDay: 50_000, mix: 'mobileHeavy', addressSpaceShare: 1, seed: 14, days: 3 },
  { name: 'medium site, one region (10 % of address space)', visitorsPerDay: 50_000, mix: 'national', addressSpaceShare: 0.1, seed: 15, days: 3 },
  { name: 'large site, one region (10 % of address space)', visitorsPerDay: 1_000_000, mix: 'national', addressSpaceShare: 0.1, seed: 16, days: 1 },
];

export interface UndercountResult {
  scenario: UndercountScenario;
  /** Per simulated day, averaged. */
  people: number;
  keysFullIp: number;
  keysTruncatedIp: number;
  /** 1 - truncated/full: what truncation costs (promise 3). */
  undercountVsFullIp: number;
  /** 1 - full/people: merging that happens even with the full IP (NAT, shared devices' twins). */
  fullIpVsPeople: number;
  /** 1 - truncated/people. */
  undercountVsPeople: number;
  /** Undercount by network kind (truncated vs full keys of that kind's people). */
  byKind: Partial<Record<NetworkKind, number>>;
}

// ---------------------------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------------------------

const hex = (n: number) => (n & 0xffff).toString(16);

interface AddressModel {
  kinds: WeightedPicker<NetworkKind>;
  fixedIsp: WeightedPicker<number>;
  fixedV4BlocksPerIsp: number[];
  fixedV4BlockStart: number[];
  households: number;
  carriers: WeightedPicker<number>;
  mobileV4Blocks: number;
  mobileV6Per48: number;
  orgs: WeightedPicker<number>;
}

function addressModel(s: UndercountScenario): AddressModel {
  const share = s.addressSpaceShare;
  const ispShares = zipfPicker(ADDRESS_SPACE.fixedV4.isps, 1.0);
  // Each ISP's /24s in proportion to its market share: the weights the ISP picker draws with.
  const weights = zipfWeights(ADDRESS_SPACE.fixedV4.isps, 1.0);
  const total = weights.reduce((a, b) => a + b, 0);
  const blocks = weights.map((w) => Math.max(1, Math.round(((ADDRESS_SPACE.fixedV4.blocks24 * w) / total) * share)));
  const starts = blocks.map((_, i) => blocks.slice(0, i).reduce((a, b) => a + b, 0));
  const mix = NETWORK_MIXES[s.mix]!;
  const kinds = Object.keys(mix) as NetworkKind[];
  return {
    kinds: new WeightedPicker(kinds, kinds.map((k) => mix[k])),
    fixedIsp: ispShares,
    fixedV4BlocksPerIsp: blocks,
    fixedV4BlockStart: starts,
    households: Math.max(256, Math.round(ADDRESS_SPACE.fixedV6.households * share)),
    carriers: new WeightedPicker([0, 1, 2], [0.45, 0.35, 0.2]),
    // A region is served by fewer CGNAT pools and gateways, but never fewer than one /24 or /48 pool.
    mobileV4Blocks: Math.max(16, Math.round(ADDRESS_SPACE.mobileV4.blocks24 * share * (s.mobilePoolScale ?? 1))),
    mobileV6Per48: Math.max(256, Math.round(ADDRESS_SPACE.mobileV6.per48 * share * (s.mobilePoolScale ?? 1))),
    orgs: zipfPicker(Math.max(100, Math.round(ADDRESS_SPACE.office.orgs * share)), 1.0),
  };
}

/** Managed browser of an organisation: one of the desktop builds, by market share. */
function orgBrowser(org: number): BrowserProfile {
  return desktopPicker.pick(prng(0x5eed + org));
}

interface Person {
  kind: NetworkKind;
  ip: string;
  ua: string;
  lang: string;
}

function person(rng: Rng, m: AddressModel): Person {
  const kind = m.kinds.pick(rng);
  let ip: string;
  let browser: BrowserProfile;
  switch (kind) {
    case 'fixedV4': {
      const isp = m.fixedIsp.index(rng);
      const block = m.fixedV4BlockStart[isp]! + randInt(rng, m.fixedV4BlocksPerIsp[isp]!);
      // 10.x-free public space: 100.64/10 is CGNAT and 10/8 private, so fixed lines start at 80.0.0.0.
      ip = `${80 + (block >> 16)}.${(block >> 8) & 255}.${block & 255}.${1 + randInt(rng, 254)}`;
      browser = pickBrowser(rng, PHONES_ON_FIXED_LINES);
      break;
    }
    case 'fixedV6': {
      const household = randInt(rng, m.households);
      const p48 = Math.floor(household / ADDRESS_SPACE.fixedV6.householdsPer48);
      const sub = household % ADDRESS_SPACE.fixedV6.householdsPer48;
      ip = `2003:${hex(p48 >> 16)}:${hex(p48)}:${hex(sub << 8)}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}`;
      browser = pickBrowser(rng, PHONES_ON_FIXED_LINES);
      break;
    }
    case 'mobileV4': {
      const carrier = m.carriers.pick(rng);
      const block = carrier * m.mobileV4Blocks + randInt(rng, m.mobileV4Blocks);
      ip = `${176 + (block >> 16)}.${(block >> 8) & 255}.${block & 255}.${1 + randInt(rng, 254)}`;
      browser = pickBrowser(rng, 1);
      break;
    }
    case 'mobileV6': {
      const carrier = m.carriers.pick(rng);
      const p48 = randInt(rng, m.mobileV6Per48);
      ip = `2a0${carrier + 1}:${hex(p48 >> 16)}:${hex(p48)}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}:${hex(randInt(rng, 65536))}`;
      browser = pickBrowser(rng, 1);
      break;
    }
    case 'office': {
      const org = m.orgs.index(rng);
      // 1-4 egress addresses per organisation, in the organisation's own business /24.
      const egress = 1 + (org % 4);
      ip = `${212 + (org >> 16)}.${(org >> 8) & 255}.${org & 255}.${1 + randInt(rng, egress)}`;
      browser = rng() < ADDRESS_SPACE.office.managedBrowserShare ? orgBrowser(org) : desktopPicker.pick(rng);
      break;
    }
  }
  return { kind, ip, ua: browser.ua, lang: pickAcceptLanguage(rng, browser.engine) };
}

const SALT = Buffer.alloc(32, 7);

/** One scenario: `days` independent days of `visitorsPerDay` people, keys counted per day. */
function simulateUndercount(s: UndercountScenario): UndercountResult {
  const m = addressModel(s);
  let people = 0;
  let full = 0;
  let truncated = 0;
  const kindFull = new Map<NetworkKind, number>();
  const kindTrunc = new Map<NetworkKind, number>();
  for (let day = 0; day < s.days; day++) {
    const rng = prng(s.seed * 1000 + day);
    const fullKeys = new Map<string, NetworkKind>();
    const truncKeys = new Map<string, NetworkKind>();
    for (let i = 0; i < s.visitorsPerDay; i++) {
      const p = person(rng, m);
      const t = truncateIp(p.ip);
      if (t === null) throw new Error(`not an IP: ${p.ip}`);
      fullKeys.set(visitorKey(SALT, BENCH_SITE, p.ip, p.ua, p.lang), p.kind);
      truncKeys.set(visitorKey(SALT, BENCH_SITE, t, p.ua, p.lang), p.kind);
    }
    people += s.visitorsPerDay;
    full += fullKeys.size;
    truncated += truncKeys.size;
    for (const k of fullKeys.values()) kindFull.set(k, (kindFull.get(k) ?? 0) + 1);
    for (const k of truncKeys.values()) kindTrunc.set(k, (kindTrunc.get(k) ?? 0) + 1);
  }
  const byKind: Partial<Record<NetworkKind, number>> = {};
  for (const k of NETWORK_KINDS) {
    const n = kindFull.get(k);
    if (n) byKind[k] = 1 - (kindTrunc.get(k) ?? 0) / n;
  }
  return {
    scenario: s,
    people: people / s.days,
    keysFullIp: full / s.days,
    keysTruncatedIp: truncated / s.days,
    undercountVsFullIp: 1 - truncated / full,
    fullIpVsPeople: 1 - full / people,
    undercountVsPeople: 1 - truncated / people,
    byKind,
  };
}

export function runUndercount(scenarios: UndercountScenario[], log: Progress): UndercountResult[] {
  log(`${scenarios.length} scenarios; browsers: ${DESKTOP_BROWSERS.length} desktop builds + mobile builds incl. in-app browsers`);
  return scenarios.map((s) => {
    const t0 = performance.now();
    const r = simulateUndercount(s);
    log(
      `${s.name}: ${fmtInt(r.people)} people/day -> ${fmtInt(r.keysFullIp)} keys with full IP, ${fmtInt(r.keysTruncatedIp)} with truncated IP: ` +
        `undercount ${fmtPct(r.undercountVsFullIp, 2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    return r;
  });
}

/** The assumptions, as lines for the report. */
export function undercountAssumptions(): string[] {
  const a = ADDRESS_SPACE;
  return [
    `One day per sample, one daily salt; a person is one browser on one device with one address all day (no address changes, so no over-count is modelled).`,
    `Network mix "national": ${Object.entries(NETWORK_MIXES.national!).map(([k, v]) => `${k} ${Math.round(v * 100)} %`).join(', ')}; "phone-first": ${Object.entries(NETWORK_MIXES.mobileHeavy!).map(([k, v]) => `${k} ${Math.round(v * 100)} %`).join(', ')}.`,
    `Fixed-line IPv4: ${a.fixedV4.isps} ISPs with Zipf shares over ${fmtInt(a.fixedV4.blocks24)} /24s, one address per household. Fixed-line IPv6: ${fmtInt(a.fixedV6.households)} households with a /56 each, ${a.fixedV6.householdsPer48} per /48.`,
    `Mobile IPv4: carrier-grade NAT, ${a.mobileV4.carriers} carriers (45/35/20 %) sharing ${a.mobileV4.blocks24} public /24s. Mobile IPv6: a /64 per device, random within ${fmtInt(a.mobileV6.per48)} /48s per carrier.`,
    `Offices/campuses: ${fmtInt(a.office.orgs)} organisations (Zipf sizes), 1-4 egress addresses each, ${Math.round(a.office.managedBrowserShare * 100)} % on the organisation's managed browser build.`,
    `Browsers: real UA strings; current Chrome/Edge/Samsung builds send frozen OS tokens, so one release on Windows or Android is one string; ${Math.round(PHONES_ON_FIXED_LINES * 100)} % phones on fixed lines. Accept-Language: 85 % German defaults (per-browser format), 7 % English, 8 % other.`,
    `"One region": the audience comes from 10 % of each pool (regional address assignment), at least 16 mobile /24s and 256 mobile /48s per carrier.`,
  ];
}
