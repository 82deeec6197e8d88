/**
 * \summary Sends RFC 5424 messages to a syslog collector over UDP (RFC 5426, one message per
 * datagram), TCP (RFC 6587 octet counting) or TLS (RFC 5425, octet counting), without ever
 * blocking the caller: `enqueue` only appends to a bounded in-memory queue; a pump writes while
 * the socket accepts; a full queue drops its oldest messages and counts them (`dropped`); a lost
 * connection is retried with exponential backoff (`reconnects`), and `problem()` says so for the
 * health endpoint while the collector is unreachable.
 *
 * Delivery is at most once: a message is taken off the queue when the socket accepts it, so
 * messages in the kernel's buffer when a connection dies are lost (the collector's own file is
 * the reference; the rsyslog test counts them). The outbox cursor of a network output moves when
 * the lines are queued, so a restart does not resend them.
 *
 * Hand-written: the npm syslog clients (syslog-client, glossy) format their own messages, do
 * non-transparent framing only, or keep unbounded queues; the framing here is one line of code.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface SyslogTarget {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** PEM CA bundle to verify the collector's certificate (TLS); null: the system's CAs. */
  caFile: string | null;
  /** Name to verify in the collector's certificate (TLS); null: `host`. */
  serverName: string | null;
  /** Messages held while the collector is slow or down; past it the oldest are dropped and counted. */
  maxQueue: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

/** Largest message sent in one UDP datagram (RFC 5426 asks receivers for 480; IPv4 allows 65,507). Longer ones are cut. */
const UDP_MAX = 65_507;
/** Bytes the socket may buffer before the pump waits for 'drain'. */
const HIGH_WATER = 256 * 1024;

export class SyslogSink {
  sent = 0;
  dropped = 0;
  reconnects = 0;
  private readonly queue: string[] = [];
  private head = 0;
  private socket: Socket | null = null;
  private udp: UdpSocket | null = null;
  private connected = false;
  private lastError: string | null = null;
  private backoffMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(readonly name: string, private readonly target: SyslogTarget) {
    this.backoffMs = target.reconnectMinMs;
    this.open();
  }

  /** Messages waiting. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Queues messages (never blocks); drops the oldest past `maxQueue`. */
  enqueue(messages: readonly string[]): void {
    for (const m of messages) this.queue.push(m);
    const over = this.queued - this.target.maxQueue;
    if (over > 0) {
      this.head += over;
      this.dropped += over;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.pump();
  }

  /** A one-line health problem while the collector is unreachable, else null. */
  problem(): string | null {
    if (this.connected || this.target.transport === 'udp') return null;
    return `output ${this.name}: syslog collector ${this.target.host}:${this.target.port} (${this.target.transport}) unreachable${this.lastError !== null ? `: ${this.lastError}` : ''}`;
  }

  /** Waits up to `timeoutMs` for the queue to empty, then closes. */
  async close(timeoutMs = 2000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queued > 0 && this.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.socket !== null && this.connected) {
      const s = this.socket;
      await new Promise<void>((resolve) => {
        s.end(() => resolve());
        setTimeout(resolve, Math.max(0, until - Date.now())).unref();
      });
    }
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket?.destroy();
    this.udp?.close();
    this.socket = null;
    this.udp = null;
  }

  private open(): void {
    if (this.closed) return;
    const t = this.target;
    if (t.transport === 'udp') {
      this.udp = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
      this.udp.on('error', (err) => { this.lastError = err.message; });
      this.connected = true;
      return;
    }
    const socket = t.transport === 'tls'
      ? tlsConnect({ host: t.host, port: t.port, servername: t.serverName ?? t.host, ...(t.caFile !== null ? { ca: readFileSync(t.caFile) } : {}) })
      : netConnect({ host: t.host, port: t.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on(t.transport === 'tls' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.lastError = null;
      this.backoffMs = t.reconnectMinMs;
      this.pump();
    });
    socket.on('drain', () => this.pump());
    socket.on('error', (err) => { this.lastError = err.message; });
    socket.on('close', () => {
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reconnects++;
      this.open();
    }, this.backoffMs);
    this.timer.unref();
    this.backoffMs = Math.min(this.target.reconnectMaxMs, this.backoffMs * 2);
  }

  private pump(): void {
    if (!this.connected) return;
    if (this.udp !== null) {
      while (this.queued > 0) {
        const m = Buffer.from(this.queue[this.head++] ?? '', 'utf8');
        // A syslog output, not the capture interface: auscult never transmits on the interface it listens on.
        // eslint-disable-next-line no-restricted-properties
        this.udp.send(m.length > UDP_MAX ? m.subarray(0, UDP_MAX) : m, this.target.port, this.target.host);
        this.sent++;
      }
      return;
    }
    const s = this.socket;
    if (s === null) return;
    while (this.queued > 0 && s.writableLength < HIGH_WATER) {
      const m = Buffer.from(this.queue[this.head++] ?? '', 'utf8');
      s.write(Buffer.concat([Buffer.from(`${m.length} `, 'ascii'), m]));
      this.sent++;
    }
  }
}
