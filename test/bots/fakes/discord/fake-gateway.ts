// A local Discord Gateway (v10, JSON, no compression) over `ws`: HELLO, IDENTIFY → READY, heartbeat ACKs,
// RESUME with replay of missed dispatches, and numbered dispatches. It speaks only the wire protocol.
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

const OP = { DISPATCH: 0, HEARTBEAT: 1, IDENTIFY: 2, RESUME: 6, RECONNECT: 7, INVALID_SESSION: 9, HELLO: 10, HEARTBEAT_ACK: 11 } as const;

interface GatewayPayload {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

interface Session {
  id: string;
  sequence: number;
  /** Every dispatch of the session so RESUME can replay what a dropped socket missed. */
  log: GatewayPayload[];
}

export interface GatewayStats {
  identifies: number;
  resumes: number;
  heartbeats: number;
  connections: number;
  lastIntents?: number;
}

export class FakeGateway {
  readonly stats: GatewayStats = { identifies: 0, resumes: 0, heartbeats: 0, connections: 0 };
  readonly #wss: WebSocketServer;
  #socket: WebSocket | undefined;
  #session: Session | undefined;
  #readyWaiters: Array<() => void> = [];
  #url = '';

  constructor(
    server: Server,
    readonly path: string,
    private readonly botUser: Record<string, unknown>,
    private readonly applicationId: string,
  ) {
    this.#wss = new WebSocketServer({ server, path });
    this.#wss.on('connection', (socket) => this.#onConnection(socket));
  }

  /** The ws:// URL handed out by GET /gateway/bot and as resume_gateway_url. */
  set url(value: string) {
    this.#url = value;
  }

  get url(): string {
    return this.#url;
  }

  /** Resolves when the next READY or RESUMED has been sent on a live socket. */
  waitForSession(): Promise<void> {
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  get isLive(): boolean {
    return this.#socket !== undefined && this.#socket.readyState === this.#socket.OPEN && this.#session !== undefined;
  }

  /** Sends a dispatch now, or keeps it in the session log for RESUME when the socket is down. */
  dispatch(eventName: string, data: unknown): void {
    const session = this.#session;
    if (!session) throw new Error('fake gateway: no session to dispatch on');
    session.sequence += 1;
    const payload: GatewayPayload = { op: OP.DISPATCH, t: eventName, s: session.sequence, d: data };
    session.log.push(payload);
    if (this.#socket && this.#socket.readyState === this.#socket.OPEN) this.#send(payload);
  }

  /** Drops the connection like a Discord-side failure; 4000 is resumable. */
  dropConnection(code = 4000): void {
    this.#socket?.close(code, 'fake gateway drop');
    this.#socket = undefined;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(socket: WebSocket): void {
    this.stats.connections += 1;
    this.#socket?.terminate();
    this.#socket = socket;
    socket.on('message', (raw) => this.#onMessage(socket, raw.toString()));
    this.#send({ op: OP.HELLO, d: { heartbeat_interval: 41_250 } }, socket);
  }

  #onMessage(socket: WebSocket, raw: string): void {
    const payload = JSON.parse(raw) as GatewayPayload;
    switch (payload.op) {
      case OP.HEARTBEAT:
        this.stats.heartbeats += 1;
        this.#send({ op: OP.HEARTBEAT_ACK }, socket);
        return;
      case OP.IDENTIFY:
        this.#identify(payload.d as { token: string; intents: number });
        return;
      case OP.RESUME:
        this.#resume(socket, payload.d as { token: string; session_id: string; seq: number });
        return;
      default:
        return;
    }
  }

  #identify(data: { token: string; intents: number }): void {
    this.stats.identifies += 1;
    this.stats.lastIntents = data.intents;
    this.#session = { id: `session-${this.stats.identifies}`, sequence: 0, log: [] };
    this.dispatch('READY', {
      v: 10,
      user: this.botUser,
      guilds: [],
      session_id: this.#session.id,
      resume_gateway_url: this.#url,
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
    });
    this.#notifyReady();
  }

  #resume(socket: WebSocket, data: { session_id: string; seq: number }): void {
    const session = this.#session;
    if (!session || session.id !== data.session_id) {
      this.#send({ op: OP.INVALID_SESSION, d: false }, socket);
      return;
    }
    this.stats.resumes += 1;
    for (const missed of session.log.filter((p) => (p.s ?? 0) > data.seq)) this.#send(missed, socket);
    this.dispatch('RESUMED', {});
    this.#notifyReady();
  }

  #notifyReady(): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #send(payload: GatewayPayload, socket: WebSocket | undefined = this.#socket): void {
    socket?.send(JSON.stringify({ s: null, t: null, ...payload }));
  }
}
