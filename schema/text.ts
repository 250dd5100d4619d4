// Client text on its way to ClickHouse. A JavaScript string may hold a lone UTF-16 surrogate (a
// JSON escape such as "\ud800" parses to one); UTF-8 cannot, and ClickHouse refuses it in an
// insert (CANNOT_PARSE_ESCAPE_SEQUENCE), failing the whole batch it sits in, again at every retry.
// So text a client chose is made well-formed where it enters: each lone surrogate becomes U+FFFD,
// as a UTF-8 encoder would write it. (The fuzz tests found this: test/hostile/beacon-fuzz.test.ts.)

/** ES2024's String.prototype.isWellFormed / toWellFormed (Node 20 has both; the project's lib is ES2023). */
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };

/** `s` with every lone surrogate replaced by U+FFFD (the same string when there is none). */
export function wellFormed(s: string): string {
  return (s as Es2024String).isWellFormed() ? s : (s as Es2024String).toWellFormed();
}

/** Whether `s` holds no lone surrogate. */
const isWellFormed = (s: string) => (s as Es2024String).isWellFormed();

/**
 * JSON.parse for a request body, with every string (object keys included) made well-formed. Keys
 * are rebuilt as own properties, so a "__proto__" key stays data and never becomes a prototype.
 * Throws like JSON.parse (SyntaxError; RangeError for absurd nesting): callers answer 400.
 */
export function parseClientJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return wellFormed(value);
    if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).every(isWellFormed)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, wellFormed(k), { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}
