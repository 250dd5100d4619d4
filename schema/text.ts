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
