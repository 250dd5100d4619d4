/**
 * An error as one short line for logs and operator messages: the first line of its message,
 * cut at 200 characters. ClickHouse errors run to many lines (and may quote the statement).
 */
export function errorLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
}
