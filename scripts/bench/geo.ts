// Part "geo": what the country look-up (collector/geo/, the pipeline's lookUpCountry step) costs
// per beacon. The step gets the already parsed client address; timed here over the packaged DB-IP
// Lite database (or GEOIP_DB), in batches (percentiles over batches, not single calls), for
// public IPv4 addresses as the throughput part sends them, public IPv6 addresses, and private or
// documentation addresses (no look-up at all), next to truncateAddress for scale.
import { statSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { openCountryDb, packagedCountryDbPath } from '../../collector/geo/database.ts';
import { countryLookup } from '../../collector/geo/lookup.ts';
import { truncateAddress } from '../../collector/ip/truncate.ts';
import { fmtInt, fmtMs, fmtNs, prng, randInt, table, type Progress } from './common.ts';
import { syntheticVisitors } from './population.ts';

export interface GeoOptions {
  /** Distinct addresses per kind (looked up round-robin). */
  addresses: number;
  /** Look-ups per timed batch. */
  batch: number;
  batches: number;
}

export const GEO_DEFAULTS: GeoOptions = { addresses: 50_000, batch: 20_000, batches: 60 };
export const GEO_QUICK: GeoOptions = { addresses: 10_000, batch: 10_000, batches: 15 };

export interface GeoRow {
  kind: string;
  p50Ns: number;
  p95Ns: number;
  /** Share of the addresses that got a country. */
  found: number;
}

export interface GeoResult {
  options: GeoOptions;
  database: string;
  databaseBytes: number;
  openMs: number;
  rows: GeoRow[];
}

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Public IPv6 addresses in well-populated /16s of 2000::/3 (random /48s and interface ids). */
function publicV6(rng: () => number, n: number): Addr[] {
  const prefixes = [0x2001, 0x2003, 0x2a00, 0x2a01, 0x2a02, 0x2400, 0x2600, 0x2800, 0x2c0f, 0x2405];
  const hex = () => randInt(rng, 0x10000).toString(16);
  return Array.from({ length: n }, () => ipaddr.IPv6.parse(`${prefixes[randInt(rng, prefixes.length)]!.toString(16)}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`));
}

function privateOrDocumentation(rng: () => number, n: number): Addr[] {
  const nets = ['10', '192.168', '172.16', '192.0.2', '198.51.100', '203.0.113'];
  return Array.from({ length: n }, () => {
    const net = nets[randInt(rng, nets.length)]!;
    const parts = net.split('.');
    while (parts.length < 4) parts.push(String(randInt(rng, 256)));
    return ipaddr.IPv4.parse(parts.join('.'));
  });
}

function timeBatches(o: GeoOptions, addrs: Addr[], fn: (a: Addr) => unknown): { p50Ns: number; p95Ns: number } {
  const perCall: number[] = [];
  let sink = 0;
  let i = 0;
  // Warm-up: the JIT and the record cache.
  for (let k = 0; k < o.batch; k++) sink += String(fn(addrs[k % addrs.length]!)).length;
  for (let b = 0; b < o.batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < o.batch; k++) {
      sink += String(fn(addrs[i]!)).length;
      i = (i + 1) % addrs.length;
    }
    perCall.push(Number(process.hrtime.bigint() - t0) / o.batch);
  }
  if (sink < 0) console.log(sink); // keeps the calls from being optimised away
  perCall.sort((a, b) => a - b);
  return { p50Ns: perCall[Math.floor(perCall.length * 0.5)]!, p95Ns: perCall[Math.min(perCall.length - 1, Math.floor(perCall.length * 0.95))]! };
}

export function runGeo(o: GeoOptions, log: Progress): GeoResult {
  const database = process.env.GEOIP_DB?.trim() || packagedCountryDbPath();
  const t0 = performance.now();
  const reader = openCountryDb(database);
  const openMs = performance.now() - t0;
  const countryOf = countryLookup(reader);
  const rng = prng(7);
  const kinds: Array<[string, Addr[]]> = [
    ['public IPv4 (the throughput part\'s visitors)', syntheticVisitors(rng, o.addresses).map((v) => ipaddr.IPv4.parse(v.ip))],
    ['public IPv6', publicV6(rng, o.addresses)],
    ['private / documentation (not looked up)', privateOrDocumentation(rng, o.addresses)],
  ];
  const rows: GeoRow[] = [];
  for (const [kind, addrs] of kinds) {
    log(`${kind}: ${fmtInt(o.batches)} batches of ${fmtInt(o.batch)}`);
    const found = addrs.filter((a) => countryOf(a) !== '').length / addrs.length;
    rows.push({ kind, ...timeBatches(o, addrs, countryOf), found });
  }
  const v4 = kinds[0]![1];
  rows.push({ kind: 'for scale: truncateAddress, public IPv4', ...timeBatches(o, v4, (a) => truncateAddress(a)), found: 0 });
  return { options: o, database, databaseBytes: statSync(database).size, openMs, rows };
}

export function geoMarkdown(r: GeoResult): string[] {
  return [
    '### Country look-up (per beacon)',
    '',
    `The pipeline's \`lookUpCountry\` step over ${r.database.includes('dbip-country-mmdb') ? 'the packaged DB-IP Lite database' : r.database} (${(r.databaseBytes / 1e6).toFixed(1)} MB, read into memory once at start in ${fmtMs(r.openMs)} ms), ` +
      `${fmtInt(r.options.batches)} batches of ${fmtInt(r.options.batch)} look-ups over ${fmtInt(r.options.addresses)} distinct addresses per kind.`,
    '',
    table(
      ['Addresses', 'p50 per look-up', 'p95 per look-up', 'with a country'],
      r.rows.map((row) => [row.kind, fmtNs(row.p50Ns), fmtNs(row.p95Ns), row.kind.startsWith('for scale') ? '' : `${(100 * row.found).toFixed(1)} %`]),
    ),
    '',
  ];
}
