// Revenue as Plausible's Stats API shows it: {"value": 200.0, "currency": "EUR", "short": "€200.0",
// "long": "€200.00"}. The sums arrive from ClickHouse as exact decimal text (Decimal(38, 8));
// `long` and `short` are formatted from that text, not from a float (Intl.NumberFormat takes
// decimal strings exactly), so "long" is right to the cent however large the sum. `value` is a
// JSON number, as in Plausible.

export interface Money {
  value: number;
  currency: string;
  /** Compact, one decimal: €200.0, €1.2K, €3.4M. */
  short: string;
  /** Full, in the currency's minor unit: €1,234.50. */
  long: string;
}

const formats = new Map<string, { short: Intl.NumberFormat; long: Intl.NumberFormat }>();

function formatsFor(currency: string) {
  let f = formats.get(currency);
  if (!f) {
    f = {
      short: new Intl.NumberFormat('en-US', { style: 'currency', currency, notation: 'compact', minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      long: new Intl.NumberFormat('en-US', { style: 'currency', currency }),
    };
    // At most one entry per ISO 4217 code (~160).
    formats.set(currency, f);
  }
  return f;
}

/** `decimal` is ClickHouse's text of a Decimal (e.g. "19.99000000"). */
export function money(decimal: string, currency: string): Money {
  const f = formatsFor(currency);
  // Intl.NumberFormat.format accepts decimal strings (ES2023) and formats them exactly.
  const text = decimal as unknown as number;
  return { value: Number(decimal), currency, short: f.short.format(text), long: f.long.format(text) };
}
