// A local fake of the Telegram Bot API over HTTP (`/bot<token>/<method>`, `/file/bot<token>/<path>`) for tests:
// telegraf talks to it through its apiRoot option. It records every call, long-polls getUpdates from a queue
// the test feeds, and can inject errors (429 with retry_after). It must not know anything about Memeloom.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBotState, type StoredFile } from './fake-bot-state.ts';
import { ApiError, type MethodCall, METHODS } from './fake-bot-methods.ts';
import { INLINE_METHODS, inlineEdit } from './fake-inline-methods.ts';
import { STICKER_METHODS } from './fake-sticker-methods.ts';
import { MEDIA_EDIT_METHODS } from './fake-media-edits.ts';
import type { MediaProbe } from './media-probe.ts';
import { boundaryOf, type FormFile, parseMultipart } from './multipart.ts';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  files: Record<string, FormFile>;
  probes: Record<string, MediaProbe>;
  atMs: number;
  ok: boolean;
  errorCode?: number;
  description?: string;
  result?: unknown;
}

export interface InjectedError {
  errorCode: number;
  description: string;
  retryAfterSec?: number;
}

export interface FakeTelegramOptions {
  token?: string;
  /** Cap on how long one getUpdates is held open, whatever timeout the client asks for. */
  maxPollHoldMs?: number;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseParams(req: IncomingMessage, body: Buffer, url: URL): { params: Record<string, unknown>; files: Record<string, FormFile> } {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json') && body.length > 0) return { params: { ...params, ...JSON.parse(body.toString('utf8')) }, files: {} };
  if (type.startsWith('application/x-www-form-urlencoded')) return { params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) }, files: {} };
  const boundary = boundaryOf(type);
  if (!type.startsWith('multipart/form-data') || !boundary) return { params, files: {} };
  const form = parseMultipart(body, boundary);
  const merged: Record<string, unknown> = { ...params, ...form.fields };
  // Multipart carries every field as a string; JSON-typed ones are serialised objects.
  for (const key of ['reply_markup', 'reply_parameters', 'caption_entities', 'results', 'button', 'media', 'stickers']) {
    if (typeof merged[key] === 'string') merged[key] = JSON.parse(merged[key] as string);
  }
  // addStickerToSet's InputSticker is JSON; uploadStickerFile's `sticker` is the file part itself.
  if (typeof merged.sticker === 'string' && merged.sticker.startsWith('{')) merged.sticker = JSON.parse(merged.sticker);
  return { params: merged, files: form.files };
}

const ALL_METHODS = { ...METHODS, ...INLINE_METHODS, ...STICKER_METHODS, ...MEDIA_EDIT_METHODS };

export class FakeTelegramServer {
  readonly state = new FakeBotState();
  readonly calls: RecordedCall[] = [];
  /** File paths fetched through the download endpoint. */
  readonly downloads: string[] = [];
  private readonly injected = new Map<string, InjectedError[]>();
  private readonly stalled = new Map<string, number>();
  private readonly callListeners = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly token: string,
    private readonly maxPollHoldMs: number,
  ) {}

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegramServer> {
    // Telegram's servers keep idle connections open for long; Node's default of 5 s would reset a client's
    // pooled socket mid-request after a quiet spell, which no real Bot API server does.
    const server = createServer({ keepAliveTimeout: 120_000 });
    const fake = new FakeTelegramServer(server, options.token ?? '123456:TEST-token', options.maxPollHoldMs ?? 25_000);
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get apiRoot(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const waiter of [...this.state.waiters]) waiter.resolve();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues an update for getUpdates; returns its update_id. */
  pushUpdate(update: Record<string, unknown>): number {
    return this.state.enqueueUpdate(update);
  }

  addFile(bytes: Buffer, options?: { fileSize?: number; extension?: string; folder?: string }): StoredFile {
    return this.state.addFile(bytes, options);
  }

  /** The next call of `method` fails with this error (once per call to failNext). */
  failNext(method: string, error: InjectedError): void {
    const list = this.injected.get(method) ?? [];
    list.push(error);
    this.injected.set(method, list);
  }

  /**
   * The next call of `method` is carried out (recorded as ok; a sent message is in the chat) but its answer never
   * reaches the bot: a bot that dies right then never learns what Telegram did.
   */
  stallNext(method: string): void {
    this.stalled.set(method, (this.stalled.get(method) ?? 0) + 1);
  }

  callsOf(method: string, chatId?: number): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (chatId === undefined || Number(c.params.chat_id) === chatId));
  }

  /** Resolves with the first recorded call at index >= fromIndex that matches. */
  waitForCall(match: (call: RecordedCall) => boolean, options: { fromIndex?: number; timeoutMs?: number } = {}): Promise<RecordedCall> {
    const fromIndex = options.fromIndex ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.calls.slice(fromIndex).find(match);
        if (!found) return false;
        clearTimeout(timer);
        this.callListeners.delete(listener);
        resolve(found);
        return true;
      };
      const listener = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.callListeners.delete(listener);
        const seen = this.calls.slice(fromIndex).map((c) => `${c.method}${c.ok ? '' : `!${c.errorCode}`}`);
        reject(new Error(`fake Telegram: no matching call within ${options.timeoutMs ?? 30_000} ms; saw ${seen.join(', ')}`));
      }, options.timeoutMs ?? 30_000);
      if (!check()) this.callListeners.add(listener);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) return this.download(fileMatch[1]!, decodeURIComponent(fileMatch[2]!), res);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!match) return this.reply(res, new ApiError(404, 'Not Found'));
    if (match[1] !== this.token) return this.reply(res, new ApiError(401, 'Unauthorized'));
    const method = match[2]!;
    const { params, files } = parseParams(req, await readBody(req), url);
    if (method === 'getUpdates') return this.getUpdates(params, res);
    const handler = (params.inline_message_id !== undefined ? inlineEdit(method) : undefined) ?? ALL_METHODS[method];
    if (!handler) return this.reply(res, new ApiError(404, 'Not Found'));
    const call: MethodCall = { params, files, probes: {} };
    const record: RecordedCall = { method, params, files, probes: call.probes, atMs: Date.now(), ok: false };
    try {
      const injected = this.injected.get(method)?.shift();
      if (injected) {
        const parameters = injected.retryAfterSec !== undefined ? { retry_after: injected.retryAfterSec } : undefined;
        throw new ApiError(injected.errorCode, injected.description, parameters);
      }
      record.result = await handler(this.state, call);
      record.ok = true;
      const stalls = this.stalled.get(method) ?? 0;
      if (stalls > 0) this.stalled.set(method, stalls - 1);
      else this.reply(res, record.result);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      record.errorCode = error.errorCode;
      record.description = error.description;
      this.reply(res, error);
    } finally {
      this.calls.push(record);
      for (const listener of [...this.callListeners]) listener();
    }
  }

  private reply(res: ServerResponse, outcome: unknown): void {
    const failed = outcome instanceof ApiError;
    const body = failed
      ? { ok: false, error_code: outcome.errorCode, description: outcome.description, parameters: outcome.parameters }
      : { ok: true, result: outcome };
    res.writeHead(failed ? outcome.errorCode : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private download(token: string, filePath: string, res: ServerResponse): void {
    const file = token === this.token ? this.state.fileByPath(filePath) : undefined;
    if (!file) {
      res.writeHead(404).end('Not Found');
      return;
    }
    this.downloads.push(filePath);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length }).end(file.bytes);
  }

  private getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(Number(params.limit ?? 100), 100);
    const holdMs = Math.min(Number(params.timeout ?? 0) * 1000, this.maxPollHoldMs);
    const respond = (): void => {
      this.state.waiters.delete(waiter);
      clearTimeout(timer);
      if (!res.writableEnded) this.reply(res, this.state.takeUpdates(offset, limit));
    };
    const waiter = { resolve: respond };
    const timer = setTimeout(respond, holdMs);
    if (this.state.takeUpdates(offset, limit).length > 0 || holdMs === 0) {
      respond();
      return;
    }
    this.state.waiters.add(waiter);
    // The client gave up (telegraf aborts its poll on stop): forget the waiter. (`req` 'close' fires once the
    // body is read, so it is the response's close that tells an abort.)
    res.on('close', () => {
      if (!res.writableEnded) respond();
    });
  }
}
