// The fake Discord REST API v10 routes discord.js uses here, with Discord's JSON shapes and error bodies,
// plus a tiny CDN for attachments and avatars. Multipart bodies are parsed with the platform's FormData.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildMessage, editMessage } from './discord-messages.ts';
import type { FakeCommands } from './fake-commands.ts';
import {
  DEFAULT_UPLOAD_LIMIT_BYTES,
  DiscordApiFailure,
  type FakeRestState,
  type RecordedFile,
  type RecordedRequest,
} from './fake-rest-state.ts';

export interface FakeRestContext {
  state: FakeRestState;
  commands: FakeCommands;
  applicationId: string;
  botUser: Record<string, unknown>;
  gatewayUrl: () => string;
  cdnBaseUrl: () => string;
}

type Reply = { status: number; json?: unknown };
type Handler = (ctx: FakeRestContext, params: string[], req: RecordedRequest) => Reply;

const EPHEMERAL = 1 << 6;
/** "Apps are limited to 5 followup messages per interaction" from a user install the server does not have. */
const USER_INSTALL_FOLLOW_UP_LIMIT = 5;

const ROUTES: Array<[string, RegExp, Handler]> = [
  ['GET', /^\/gateway\/bot$/, (ctx) => ok({ url: ctx.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } })],
  ['GET', /^\/users\/@me$/, (ctx) => ok(ctx.botUser)],
  ['GET', /^\/applications\/@me$/, (ctx) => ok({ id: ctx.applicationId, name: 'memeloom-test', flags: 0, bot: ctx.botUser })],
  ['PUT', /^\/applications\/(\d+)\/commands$/, putCommands],
  ['PUT', /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, putCommands],
  ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, interactionCallback],
  ['GET', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, (ctx, p) => ok(originalOf(ctx, p))],
  ['PATCH', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, editOriginal],
  ['DELETE', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, deleteOriginal],
  ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, followUp],
  ['POST', /^\/channels\/(\d+)\/messages$/, channelMessage],
  ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, editChannelMessage],
  ['POST', /^\/users\/@me\/channels$/, (ctx, _p, req) => ok({ id: ctx.state.snowflake(), type: 1, recipients: [{ id: String(req.json?.recipient_id), username: 'someone', discriminator: '0', avatar: null }] })],
];

function ok(json: unknown): Reply {
  return { status: 200, json };
}

function putCommands(ctx: FakeRestContext, params: string[], req: RecordedRequest): Reply {
  if (params[0] !== ctx.applicationId) throw new DiscordApiFailure(403, 50001, 'Missing Access');
  const stored = ctx.commands.overwrite(req.json ?? [], { guildId: params[1] }, () => ctx.state.snowflake());
  const guild = params[1] ? { guild_id: params[1] } : {};
  return ok(stored.map((c) => ({ ...c, ...guild, application_id: ctx.applicationId, version: ctx.state.snowflake() })));
}

function interactionCallback(ctx: FakeRestContext, params: string[], req: RecordedRequest): Reply {
  const record = ctx.state.interactionForCallback(params[0], params[1]);
  const type = Number(req.json?.type);
  const data = (req.json?.data ?? {}) as Record<string, unknown>;
  ctx.state.checkUploadSizes(req.files, record.attachmentSizeLimit);
  record.acknowledged = true;
  if (type === 4 || type === 5) {
    record.original = buildMessage({
      id: ctx.state.snowflake(),
      channelId: record.channelId,
      author: ctx.botUser,
      body: type === 5 ? { content: '', flags: data.flags } : data,
      files: req.files,
      attachmentBaseUrl: `${ctx.cdnBaseUrl()}/attachments`,
      applicationId: ctx.applicationId,
      type: 20,
    });
  }
  // DEFERRED_UPDATE_MESSAGE / UPDATE_MESSAGE: @original of this token is the message the component is on.
  if ((type === 6 || type === 7) && record.componentMessage) {
    const attachmentBaseUrl = `${ctx.cdnBaseUrl()}/attachments`;
    record.original = type === 7 ? editMessage(record.componentMessage, data, req.files, attachmentBaseUrl) : record.componentMessage;
  }
  return { status: 204 };
}

function originalOf(ctx: FakeRestContext, params: string[]): Record<string, unknown> {
  const record = ctx.state.interactionForWebhook(params[0], ctx.applicationId, params[1]);
  if (!record.original) throw new DiscordApiFailure(404, 10008, 'Unknown Message');
  return record.original;
}

function editOriginal(ctx: FakeRestContext, params: string[], req: RecordedRequest): Reply {
  const record = ctx.state.interactionForWebhook(params[0], ctx.applicationId, params[1]);
  if (!record.original) throw new DiscordApiFailure(404, 10008, 'Unknown Message');
  ctx.state.checkUploadSizes(req.files, record.attachmentSizeLimit);
  record.original = editMessage(record.original, req.json, req.files, `${ctx.cdnBaseUrl()}/attachments`);
  return ok(record.original);
}

function deleteOriginal(ctx: FakeRestContext, params: string[]): Reply {
  originalOf(ctx, params);
  const record = ctx.state.interactions.get(params[1])!;
  record.original = undefined;
  return { status: 204 };
}

function followUp(ctx: FakeRestContext, params: string[], req: RecordedRequest): Reply {
  const record = ctx.state.interactionForWebhook(params[0], ctx.applicationId, params[1]);
  ctx.state.checkUploadSizes(req.files, record.attachmentSizeLimit);
  if (record.userInstallOnly && record.followUps >= USER_INSTALL_FOLLOW_UP_LIMIT) {
    throw new DiscordApiFailure(400, 40094, 'This interaction has hit the maximum number of follow up messages');
  }
  record.followUps += 1;
  const flags = Number(req.json?.flags ?? 0);
  return ok(
    buildMessage({
      id: ctx.state.snowflake(),
      channelId: record.channelId,
      author: ctx.botUser,
      body: { ...req.json, flags: flags & EPHEMERAL },
      files: req.files,
      attachmentBaseUrl: `${ctx.cdnBaseUrl()}/attachments`,
      applicationId: ctx.applicationId,
    }),
  );
}

function channelMessage(ctx: FakeRestContext, params: string[], req: RecordedRequest): Reply {
  if (ctx.state.missingChannels.has(params[0])) throw new DiscordApiFailure(404, 10003, 'Unknown Channel');
  if (ctx.state.noAccessChannels.has(params[0])) throw new DiscordApiFailure(403, 50001, 'Missing Access');
  ctx.state.checkUploadSizes(req.files, DEFAULT_UPLOAD_LIMIT_BYTES);
  const message = buildMessage({
    id: ctx.state.snowflake(),
    channelId: params[0],
    author: ctx.botUser,
    body: req.json,
    files: req.files,
    attachmentBaseUrl: `${ctx.cdnBaseUrl()}/attachments`,
  });
  ctx.state.channelMessages.push(message);
  return ok(message);
}

/**
 * Edit Message as the bot: its own channel posts, and (as Discord allows) its non-ephemeral interaction replies, in
 * channels it can see; an ephemeral reply is "Unknown Message" there. A new file replaces the attachments.
 */
function editChannelMessage(ctx: FakeRestContext, params: string[], req: RecordedRequest): Reply {
  const [channelId, messageId] = params;
  if (ctx.state.missingChannels.has(channelId)) throw new DiscordApiFailure(404, 10003, 'Unknown Channel');
  if (ctx.state.noAccessChannels.has(channelId)) throw new DiscordApiFailure(403, 50001, 'Missing Access');
  ctx.state.checkUploadSizes(req.files, DEFAULT_UPLOAD_LIMIT_BYTES);
  const base = `${ctx.cdnBaseUrl()}/attachments`;
  const posted = ctx.state.channelMessages.findIndex((m) => m.id === messageId && m.channel_id === channelId);
  if (posted >= 0) {
    ctx.state.channelMessages[posted] = editMessage(ctx.state.channelMessages[posted]!, req.json, req.files, base);
    return ok(ctx.state.channelMessages[posted]);
  }
  for (const record of ctx.state.interactions.values()) {
    const original = record.original;
    if (!original || original.id !== messageId || original.channel_id !== channelId) continue;
    if ((Number(original.flags) & EPHEMERAL) !== 0) break;
    record.original = editMessage(original, req.json, req.files, base);
    return ok(record.original);
  }
  throw new DiscordApiFailure(404, 10008, 'Unknown Message');
}

async function readBody(req: IncomingMessage): Promise<{ json: Record<string, unknown> | undefined; files: RecordedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const contentType = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: undefined, files: [] };
  if (contentType.startsWith('application/json')) return { json: JSON.parse(raw.toString('utf8')), files: [] };
  if (!contentType.startsWith('multipart/form-data')) return { json: undefined, files: [] };
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const files: RecordedFile[] = [];
  let json: Record<string, unknown> | undefined;
  const pending: Array<Promise<void>> = [];
  form.forEach((value, field) => {
    if (field === 'payload_json' && typeof value === 'string') json = JSON.parse(value);
    else if (typeof value !== 'string') {
      pending.push(value.arrayBuffer().then((data) => void files.push({ field, name: value.name, contentType: value.type, bytes: Buffer.from(data) })));
    }
  });
  await Promise.all(pending);
  files.sort((a, b) => a.field.localeCompare(b.field));
  return { json, files };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === 204) {
    // Discord answers 204 with no body and no JSON content type; discord.js would try to parse one.
    res.writeHead(204);
    res.end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.json));
}

/** Handles one request under /api/v10; records it with the status it got. */
export async function handleRestRequest(ctx: FakeRestContext, req: IncomingMessage, res: ServerResponse, apiPath: string): Promise<void> {
  const url = new URL(apiPath, 'http://fake');
  const path = decodeURIComponent(url.pathname);
  const { json, files } = await readBody(req);
  const method = req.method ?? 'GET';
  const recorded: RecordedRequest = { method, path, query: url.searchParams, atMs: Date.now(), json, files, status: 0 };
  ctx.state.requests.push(recorded);
  let reply: Reply = { status: 404, json: { message: '404: Not Found', code: 0 } };
  try {
    for (const [routeMethod, pattern, handler] of ROUTES) {
      const match = routeMethod === method ? pattern.exec(path) : null;
      if (match) {
        reply = handler(ctx, match.slice(1), recorded);
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof DiscordApiFailure)) throw error;
    reply = { status: error.status, json: { message: error.message, code: error.code } };
  }
  recorded.status = reply.status;
  send(res, reply);
}
