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
    const key = labels ? `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }

  value(name: string, labels?: Record<string, string>): number {
    const key = labels ? `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
    return this.counters.get(key) ?? 0;
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
