// Prometheus text exposition (version 0.0.4), written by hand: request counts by route and code, a
// request-duration histogram by route, git fetch bytes, git processes, failures by reason, analyses
// in flight and waiting.
// Label values come from fixed sets (routes, reasons, codes), so cardinality stays bounded.
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string>) => {
  const keys = Object.keys(l).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${esc(l[k])}"`).join(',')}}` : '';
};
const num = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));

export class Metrics {
  private requests = new Map<string, number>();
  private durations = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private failures = new Map<string, number>();
  private fetchBytes = 0;
  private fetches = 0;
  inFlight = 0;
  /** Analyses waiting for a slot (analysis-slots.ts). */
  waiting = 0;

  /** `gitProcesses`: git processes this process has started so far (core/git-process.ts counts them). */
  constructor(private readonly gitProcesses: () => number = () => 0) {}

  request(route: string, code: number, seconds: number): void {
    const key = `${route}\u0000${code}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const d = this.durations.get(route) ?? { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
    DURATION_BUCKETS.forEach((b, i) => {
      if (seconds <= b) d.buckets[i]++;
    });
    d.sum += seconds;
    d.count++;
    this.durations.set(route, d);
  }

  failure(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  fetched(bytes: number): void {
    this.fetchBytes += bytes;
    this.fetches++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP image_factory_http_requests_total HTTP requests answered, by route and status code.');
    out.push('# TYPE image_factory_http_requests_total counter');
    for (const [key, n] of [...this.requests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const [route, code] = key.split('\u0000');
      out.push(`image_factory_http_requests_total${labels({ route, code })} ${n}`);
    }
    out.push('# HELP image_factory_http_request_duration_seconds Time to answer a request, by route.');
    out.push('# TYPE image_factory_http_request_duration_seconds histogram');
    for (const [route, d] of [...this.durations].sort(([a], [b]) => (a < b ? -1 : 1))) {
      DURATION_BUCKETS.forEach((b, i) => out.push(`image_factory_http_request_duration_seconds_bucket${labels({ route, le: num(b) })} ${d.buckets[i]}`));
      out.push(`image_factory_http_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${d.count}`);
      out.push(`image_factory_http_request_duration_seconds_sum${labels({ route })} ${num(d.sum)}`);
      out.push(`image_factory_http_request_duration_seconds_count${labels({ route })} ${d.count}`);
    }
    out.push('# HELP image_factory_git_fetch_bytes_total Pack bytes received from git remotes.');
    out.push('# TYPE image_factory_git_fetch_bytes_total counter');
    out.push(`image_factory_git_fetch_bytes_total ${this.fetchBytes}`);
    out.push('# HELP image_factory_git_fetches_total Successful git fetches.');
    out.push('# TYPE image_factory_git_fetches_total counter');
    out.push(`image_factory_git_fetches_total ${this.fetches}`);
    out.push('# HELP image_factory_git_processes_total Git processes started (an analysis not answered from the cache starts three).');
    out.push('# TYPE image_factory_git_processes_total counter');
    out.push(`image_factory_git_processes_total ${this.gitProcesses()}`);
    out.push('# HELP image_factory_analysis_failures_total Analysis requests that failed, by reason.');
    out.push('# TYPE image_factory_analysis_failures_total counter');
    for (const [reason, n] of [...this.failures].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push(`image_factory_analysis_failures_total${labels({ reason })} ${n}`);
    }
    out.push('# HELP image_factory_analyses_in_flight Analyses running now.');
    out.push('# TYPE image_factory_analyses_in_flight gauge');
    out.push(`image_factory_analyses_in_flight ${this.inFlight}`);
    out.push('# HELP image_factory_analyses_waiting Analyses waiting for a slot.');
    out.push('# TYPE image_factory_analyses_waiting gauge');
    out.push(`image_factory_analyses_waiting ${this.waiting}`);
    return `${out.join('\n')}\n`;
  }
}
