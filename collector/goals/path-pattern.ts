// Path patterns of page and scroll goals, as in Plausible: `*` matches within one path segment
// (no "/"), `**` matches across segments (anything, "/" included); everything else is literal.
// "/blog/*" matches "/blog/post" but not "/blog/a/b"; "/blog/**" matches both; "/docs/*/setup"
// matches "/docs/v2/setup". A pattern is compiled once per goal, not per event.

const MAX_PATTERN = 2000;

/** Why `pattern` cannot be a goal's path, or null when it can. */
export function pathPatternProblem(pattern: unknown): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'a path such as /thank-you or /blog/**';
  if (!pattern.startsWith('/')) return 'must start with "/"';
  if (pattern.length > MAX_PATTERN) return `must be at most ${MAX_PATTERN} characters`;
  if (/\*{3,}/.test(pattern)) return 'use * (within a segment) or ** (across segments), not ***';
  if (/[\s?#]/.test(pattern)) return 'a path without spaces, query string or fragment';
  return null;
}

/** The matcher of a (valid) pattern: whole-path match. */
export function compilePathPattern(pattern: string): (path: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (ch === '*') source += '[^/]*';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  return (path) => re.test(path);
}
