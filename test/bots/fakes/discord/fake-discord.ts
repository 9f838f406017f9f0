// A local Discord for tests: REST under /api/v10, a CDN under /cdn, and the Gateway under /gateway,
// all on one 127.0.0.1 port. Tests drive it (dispatch interactions, drop the socket) and read what it got.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeCommands } from './fake-commands.ts';
import { FakeGateway } from './fake-gateway.ts';
import { handleRestRequest } from './fake-rest.ts';
import { DEFAULT_UPLOAD_LIMIT_BYTES, FakeRestState, type InteractionRecord, type RecordedRequest } from './fake-rest-state.ts';
import { checkInteraction } from './interaction-rules.ts';

export const FAKE_APPLICATION_ID = '1100000000000000001';
export const FAKE_BOT_USER = { id: FAKE_APPLICATION_ID, username: 'memeloom', discriminator: '0', global_name: null, avatar: null, bot: true };

export class FakeDiscord {
  readonly state = new FakeRestState();
  /** The application's registered commands and enabled installation contexts. */
  readonly commands = new FakeCommands();
  readonly applicationId = FAKE_APPLICATION_ID;
  readonly #server: Server;
  readonly gateway: FakeGateway;
  /** What GET /gateway/bot advertises instead of the real gateway (to test a client-side override). */
  advertisedGatewayUrl: string | undefined;
  #baseUrl = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      this.#route(req.url ?? '/', req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error), code: 0 }));
      });
    });
    this.gateway = new FakeGateway(this.#server, '/gateway', FAKE_BOT_USER, FAKE_APPLICATION_ID);
  }

  static async start(): Promise<FakeDiscord> {
    const fake = new FakeDiscord();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = fake.#server.address() as AddressInfo;
    fake.#baseUrl = `http://127.0.0.1:${port}`;
    fake.gateway.url = `ws://127.0.0.1:${port}/gateway`;
    return fake;
  }

  /** discord.js's REST `api` option (it appends /v10). */
  get apiBase(): string {
    return `${this.#baseUrl}/api`;
  }

  /** discord.js's REST `cdn` option. */
  get cdnBase(): string {
    return `${this.#baseUrl}/cdn`;
  }

  get requests(): RecordedRequest[] {
    return this.state.requests;
  }

  /** Serves bytes at a CDN path and returns the full URL. */
  addCdnFile(path: string, bytes: Buffer, contentType: string): string {
    this.state.cdnFiles.set(path, { bytes, contentType });
    return `${this.cdnBase}${path}`;
  }

  /**
   * Checks the payload is one Discord could send (context, installs, an offered command), registers its id/token
   * and dispatches INTERACTION_CREATE over the gateway.
   */
  dispatchInteraction(payload: Record<string, unknown>): InteractionRecord {
    const place = checkInteraction(payload, this.commands);
    const record: InteractionRecord = {
      id: String(payload.id),
      token: String(payload.token),
      dispatchedAtMs: Date.now(),
      attachmentSizeLimit: Number(payload.attachment_size_limit ?? DEFAULT_UPLOAD_LIMIT_BYTES),
      channelId: String((payload.channel as { id: string } | undefined)?.id ?? ''),
      acknowledged: false,
      expired: false,
      original: undefined,
      ...(payload.message ? { componentMessage: payload.message as Record<string, unknown> } : {}),
      userInstallOnly: place.userInstallOnly,
      followUps: 0,
    };
    if (!place.botInChannel) this.state.noAccessChannels.add(record.channelId);
    this.state.interactions.set(record.token, record);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return record;
  }

  /** Requests to any route under the interaction's token (callback and webhook), oldest first. */
  requestsFor(record: InteractionRecord): RecordedRequest[] {
    return this.state.requests.filter((r) => r.path.includes(`/${record.token}`));
  }

  /** Polls until `pick` returns something (or throws after timeoutMs). */
  async waitFor<T>(pick: () => T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pick();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`fake discord: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #route(url: string, req: Parameters<typeof handleRestRequest>[1], res: Parameters<typeof handleRestRequest>[2]): Promise<void> {
    if (url.startsWith('/api/v10/')) {
      const ctx = {
        state: this.state,
        commands: this.commands,
        applicationId: this.applicationId,
        botUser: FAKE_BOT_USER,
        gatewayUrl: () => this.advertisedGatewayUrl ?? this.gateway.url,
        cdnBaseUrl: () => this.cdnBase,
      };
      return handleRestRequest(ctx, req, res, url.slice('/api/v10'.length));
    }
    if (url.startsWith('/cdn/')) {
      const cdnPath = new URL(url, 'http://fake').pathname.slice('/cdn'.length);
      this.state.cdnHits.push(cdnPath);
      const file = this.state.cdnFiles.get(cdnPath);
      if (!file) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    res.writeHead(404);
    res.end();
  }
}
