// Money as exact decimals, for both rooms: the collector sums revenue, the dashboard sums and
// divides spend. Amounts are decimal text with at most 8 decimals (the beacon's revenue, an
// import's spend); they are summed as integers of 10^-8 (bigint, so millions of 19.99s add up to
// the cent) and leave the process as decimal text for ClickHouse's Decimal(38, 8). Hand-written
// because it is a dozen lines: a decimal library would do the same with more surface.

export const MONEY_SCALE = 8;
const FACTOR = 10n ** BigInt(MONEY_SCALE);

/** "19.99" -> 1999000000n (units of 10^-8). The text: digits, an optional "." and at most 8 decimals, optionally negative. */
export function moneyUnits(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const units = BigInt(whole!) * FACTOR + BigInt(fraction.padEnd(MONEY_SCALE, '0').slice(0, MONEY_SCALE));
  return negative ? -units : units;
}

/** 1999000000n -> "19.99000000": the text ClickHouse reads into Decimal(38, 8) exactly. */
export function unitsToDecimal(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const text = `${abs / FACTOR}.${(abs % FACTOR).toString().padStart(MONEY_SCALE, '0')}`;
  return negative ? `-${text}` : text;
}

/** ISO 4217 codes this runtime knows (Intl's list: current codes, no funds or test codes). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}
