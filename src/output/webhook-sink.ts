/**
 * \summary Posts events to an HTTP(S) endpoint in batches (NDJSON body, `application/x-ndjson`),
 * never blocking the caller: `enqueue` appends to a bounded queue (the oldest are dropped and
 * counted past `maxQueue`); one request at a time takes up to `batchSize` lines from the head;
 * a failed request (network error, timeout, 429 or 5xx) is retried with exponential backoff and
 * the batch stays at the head, so order is kept and nothing is sent twice unless the endpoint
 * failed after storing it; other 4xx answers drop the batch (counted as `rejected`: retrying
 * cannot help). `problem()` names the endpoint while it is failing.
 *
 * Hand-written on Node's fetch: the npm webhook/HTTP-batching packages keep unbounded queues.
 */

export interface WebhookTarget {
  url: string;
  /** Extra request headers (e.g. an authorization token from the environment). */
  headers: Record<string, string>;
  batchSize: number;
  maxQueue: number;
  timeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
}

export class WebhookSink {
  sent = 0;
  dropped = 0;
  rejected = 0;
  failures = 0;
  private readonly queue: string[] = [];
  private head = 0;
  private busy = false;
  private backoffMs: number;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(readonly name: string, private readonly target: WebhookTarget, private readonly fetchImpl: typeof fetch = fetch) {
    this.backoffMs = target.retryMinMs;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  enqueue(lines: readonly string[]): void {
    for (const l of lines) this.queue.push(l);
    const over = this.queued - this.target.maxQueue;
    if (over > 0) {
      this.head += over;
      this.dropped += over;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.timer === null) void this.pump();
  }

  problem(): string | null {
    return this.lastError === null ? null : `output ${this.name}: webhook ${new URL(this.target.url).origin} failing: ${this.lastError}`;
  }

  /** Waits up to `timeoutMs` for the queue to drain, then stops. */
  async close(timeoutMs = 2000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.queued > 0 || this.busy) && this.lastError === null && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      while (this.queued > 0 && !this.closed) {
        const start = this.head;
        const batch = this.queue.slice(start, start + this.target.batchSize);
        let outcome: 'ok' | 'retry' | 'reject';
        try {
          const res = await this.fetchImpl(this.target.url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson', ...this.target.headers },
            body: `${batch.join('\n')}\n`,
            signal: AbortSignal.timeout(this.target.timeoutMs),
          });
          await res.arrayBuffer().catch(() => undefined);
          outcome = res.ok ? 'ok' : res.status === 429 || res.status >= 500 ? 'retry' : 'reject';
          if (!res.ok) this.lastError = `HTTP ${res.status}`;
        } catch (err) {
          outcome = 'retry';
          this.lastError = (err as Error).message;
        }
        // Lines dropped from the head while the request was out are not this batch's any more.
        const stillHere = Math.max(0, start + batch.length - this.head);
        if (outcome === 'ok' || outcome === 'reject') {
          this.head += stillHere;
          if (outcome === 'ok') {
            this.sent += stillHere;
            this.lastError = null;
            this.backoffMs = this.target.retryMinMs;
          } else this.rejected += stillHere;
          continue;
        }
        this.failures++;
        this.timer = setTimeout(() => { this.timer = null; void this.pump(); }, this.backoffMs);
        this.timer.unref();
        this.backoffMs = Math.min(this.target.retryMaxMs, this.backoffMs * 2);
        return;
      }
    } finally {
      this.busy = false;
    }
  }
}
