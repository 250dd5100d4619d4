/**
 * Counters and gauges for GET /metrics (Prometheus text). Label values are drop reasons and
 * field names from fixed lists: never an IP, a user agent or anything a client sent verbatim.
 */
export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, () => number>();
  private readonly help = new Map<string, string>();

  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  inc(name: string, labels?: Record<string, string>, by = 1): void {
    const key = seriesKey(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  value(name: string, labels?: Record<string, string>): number {
    return this.counters.get(seriesKey(name, labels)) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    const seen = new Set<string>();
    const header = (name: string, type: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const h = this.help.get(name);
      if (h) lines.push(`# HELP ${name} ${h}`);
      lines.push(`# TYPE ${name} ${type}`);
    };
    for (const [key, v] of [...this.counters].sort(([a], [b]) => a.localeCompare(b))) {
      header(key.split('{')[0]!, 'counter');
      lines.push(`${key} ${v}`);
    }
    for (const [name, read] of this.gauges) {
      header(name, 'gauge');
      lines.push(`${name} ${read()}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** A series as Prometheus writes it: name{label="value",...}. */
function seriesKey(name: string, labels?: Record<string, string>): string {
  return labels ? `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
}
