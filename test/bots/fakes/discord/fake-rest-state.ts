// What the fake Discord REST remembers: interactions and their tokens, stored messages, CDN files and every
// request it served. Discord's rules live here (one callback per interaction, 3 s ack, 15 min token, size limit).

export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path below /api/v10, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: URLSearchParams;
  atMs: number;
  json: Record<string, unknown> | undefined;
  files: RecordedFile[];
  status: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  dispatchedAtMs: number;
  attachmentSizeLimit: number;
  channelId: string;
  acknowledged: boolean;
  /** Set by the test to play a token past its 15-minute lifetime. */
  expired: boolean;
  original: Record<string, unknown> | undefined;
  /** For a button or select: the message it is on (what a deferred update or an update edits). */
  componentMessage?: Record<string, unknown>;
  /** `authorizing_integration_owners` has only USER_INSTALL: the app is not in this place, 5 follow-ups at most. */
  userInstallOnly: boolean;
  followUps: number;
}

export class DiscordApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const ACK_DEADLINE_MS = 3_000;
export const DEFAULT_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

export class FakeRestState {
  readonly requests: RecordedRequest[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly cdnFiles = new Map<string, { bytes: Buffer; contentType: string }>();
  readonly channelMessages: Array<Record<string, unknown>> = [];
  readonly missingChannels = new Set<string>();
  /** Channels the bot user cannot see (group DMs, servers it is not in): posting there is Missing Access. */
  readonly noAccessChannels = new Set<string>();

  /** CDN paths fetched (attachments, avatars), in order. */
  readonly cdnHits: string[] = [];
  #nextId = 0n;

  snowflake(): string {
    this.#nextId += 1n;
    return (((BigInt(Date.now()) - 1_420_070_400_000n) << 22n) | (this.#nextId & 0x3fffffn)).toString();
  }

  interactionForCallback(id: string, token: string): InteractionRecord {
    const record = this.interactions.get(token);
    if (!record || record.id !== id) throw new DiscordApiFailure(404, 10062, 'Unknown interaction');
    if (Date.now() - record.dispatchedAtMs > ACK_DEADLINE_MS) throw new DiscordApiFailure(404, 10062, 'Unknown interaction');
    if (record.acknowledged) throw new DiscordApiFailure(400, 40060, 'Interaction has already been acknowledged.');
    return record;
  }

  interactionForWebhook(applicationId: string, expectedApplicationId: string, token: string): InteractionRecord {
    const record = this.interactions.get(token);
    if (!record || applicationId !== expectedApplicationId) throw new DiscordApiFailure(404, 10015, 'Unknown Webhook');
    if (record.expired) throw new DiscordApiFailure(401, 50027, 'Invalid Webhook Token');
    if (!record.acknowledged) throw new DiscordApiFailure(404, 10015, 'Unknown Webhook');
    return record;
  }

  checkUploadSizes(files: RecordedFile[], limitBytes: number): void {
    for (const file of files) {
      if (file.bytes.length > limitBytes) throw new DiscordApiFailure(413, 40005, 'Request entity too large');
    }
  }

  /** Requests whose path matches, oldest first. */
  find(method: string, pathPattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }
}
