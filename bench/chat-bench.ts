// The chat experience under load (not part of the test run): the real bot as `npm start` builds it (config →
// renderer → service → telegraf adapter) against the project's fake Bot API, played by 10 users in three groups
// and their private chats sending 30 `/meme` requests at once, first with an empty motion cache, then warm.
// Prints first acknowledgement and delivery p50/p99, the most messages one group got in any minute, the
// shortest gap between two messages in one chat, status messages per request, refused and lost requests, and
// the bot's event-loop delay, each next to the goal from issue 16; then one long job alone, to show how its status
// moves. Usage:
//   npm run bench:chat -- [--users 10] [--groups 3] [--per-user 3] [--private 1] [--rounds cold,warm,long]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/logger.ts';
import { message } from '../src/bots/messages.ts';
import { loadConfig } from '../src/config.ts';
import { startMemeloom } from '../src/main.ts';
import { createThreadedRenderer } from '../src/pipeline/render-thread/threaded-renderer.ts';
import { loadTemplateCatalog } from '../src/templates/catalog.ts';
import type { TemplateCatalog } from '../src/templates/template-types.ts';
import { FakeTelegramServer, type RecordedCall } from '../test/bots/fakes/telegram/fake-telegram-server.ts';
import { type FakeMessage, FakeUser } from '../test/bots/fakes/telegram/fake-user.ts';
import { REFERENCE_IMAGES } from '../test/helpers/fixtures.ts';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10' },
    groups: { type: 'string', default: '3' },
    'per-user': { type: 'string', default: '3' },
    /** How many of each user's requests go to their private chat; the rest go to their group. */
    private: { type: 'string', default: '1' },
    rounds: { type: 'string', default: 'cold,warm,long' },
    'timeout-s': { type: 'string', default: '240' },
    /** MEMELOOM_CPU_CONCURRENCY for the bot (render threads); its default when not given. */
    'cpu-concurrency': { type: 'string' },
  },
});
const USERS = Number(args.users);
const GROUPS = Number(args.groups);
const PER_USER = Number(args['per-user']);
const PRIVATE = Number(args.private);
const TIMEOUT_MS = Number(args['timeout-s']) * 1000;

/** Bot API methods that put or change a message in a chat: what Telegram's flood limits count. */
const MESSAGE_METHODS = new Set(['sendMessage', 'editMessageText', 'editMessageCaption', 'editMessageMedia', 'sendAnimation', 'sendDocument', 'sendSticker', 'sendPhoto', 'sendVideo']);
const RESULT_METHODS = new Set(['sendAnimation', 'sendDocument', 'sendSticker']);
const GOALS = { ackP99Ms: 1000, deliveryP99Ms: 30_000, groupPerMinute: 20, chatGapMs: 1000, loopP99Ms: 100 };

interface Request {
  user: FakeUser;
  chatId: number;
  message: FakeMessage;
  template: { id: string; title: string };
  pushedMs: number;
  ackMs?: number;
  deliveredMs?: number;
  refused?: string;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The opening words of each refusal text (placeholders differ), to tell a refused request from a lost one. */
function refusalTexts(): string[] {
  return (['BUSY', 'QUEUE_FULL', 'RATE_LIMITED'] as const).map((code) => message(code).split(/[[{]/)[0]!);
}

function repliesTo(call: RecordedCall): number | undefined {
  const reply = call.params.reply_parameters as { message_id?: unknown } | undefined;
  return reply && typeof reply.message_id === 'number' ? reply.message_id : undefined;
}

/** Whether a status text names this request: a line with the template's title (and in groups the requester's name). */
function namesRequest(text: string, request: Request): boolean {
  const group = request.chatId < 0;
  return text.split('\n').some((line) => line.includes(request.template.title) && (!group || line.includes(request.user.from.first_name)));
}

/** A fresh fake Bot API and a fresh bot on it, built as `npm start` builds it; `cacheDir` holds the motion cache. */
async function startBot(cacheDir: string, templates: TemplateCatalog) {
  const fake = await FakeTelegramServer.start({ maxPollHoldMs: 1000 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'memeloom-chat-bench-'));
  const config = loadConfig({
    MEMELOOM_DATA_DIR: dataDir,
    MEMELOOM_WEB: 'false',
    MEMELOOM_ENGINE: 'warp',
    MEMELOOM_GPU_DEVICES: '0',
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    ...(args['cpu-concurrency'] ? { MEMELOOM_CPU_CONCURRENCY: args['cpu-concurrency'] } : {}),
  });
  // The renderer `npm start` builds (render threads, one per CPU job slot), with this bench's motion cache.
  const renderer = await createThreadedRenderer({ cacheDir, threads: config.queue.cpuConcurrency, hellomeme: false });
  const app = await startMemeloom(config, { templates, renderer, logger: silentLogger });
  return {
    fake,
    async close() {
      await app.stop();
      await renderer.dispose();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Plays the load scenario against a fresh bot; `cacheDir` holds the motion cache. */
async function round(name: string, cacheDir: string, templates: TemplateCatalog, photos: Buffer[]): Promise<Record<string, number>> {
  const { fake, close } = await startBot(cacheDir, templates);
  const list = templates.list();
  const requests: Request[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const startedMs = Date.now();
  for (let k = 0; k < PER_USER; k++) {
    for (let u = 0; u < USERS; u++) {
      const id = 5000 + u;
      const inPrivate = k >= PER_USER - PRIVATE;
      const user = inPrivate ? FakeUser.inPrivate(fake, id) : FakeUser.inGroup(fake, id, -1_000_000 - (u % GROUPS));
      const template = list[(u * PER_USER + k) % list.length]!;
      const pushedMs = Date.now();
      const message = user.sendPhoto(photos[u % photos.length]!, { caption: `/meme ${template.id}` });
      requests.push({ user, chatId: user.chat.id, message, template, pushedMs });
    }
  }
  await settle(fake, requests);
  const wallMs = Date.now() - startedMs;
  loop.disable();
  await close();
  return report(name, fake, requests, wallMs, loop.percentile(99) / 1e6, loop.max / 1e6);
}

/** Follows the fake's calls until every request was delivered or refused, or the timeout passes. */
async function settle(fake: FakeTelegramServer, requests: Request[]): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const request of requests) trace(fake.calls, request);
    if (requests.every((r) => r.deliveredMs !== undefined || r.refused !== undefined)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function trace(calls: RecordedCall[], request: Request): void {
  const statusIds = new Set<number>();
  const refusals = refusalTexts();
  for (const call of calls) {
    if (!call.ok || Number(call.params.chat_id) !== request.chatId || call.atMs < request.pushedMs) continue;
    const replyTo = repliesTo(call);
    const text = typeof call.params.text === 'string' ? call.params.text : '';
    const mine = replyTo === request.message.message_id;
    if (mine && call.method === 'sendMessage') statusIds.add((call.result as { message_id: number }).message_id);
    const editsMine = call.method === 'editMessageText' && statusIds.has(Number(call.params.message_id));
    const acknowledges = MESSAGE_METHODS.has(call.method) && (mine || editsMine || namesRequest(text, request));
    if (acknowledges) request.ackMs ??= call.atMs;
    if (mine && RESULT_METHODS.has(call.method)) request.deliveredMs ??= call.atMs;
    if ((mine || editsMine) && refusals.some((r) => text.includes(r))) request.refused ??= text;
  }
}

/** The most message calls to one chat inside any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * One long job alone: a template nobody asked for before (its motion is analysed first) in a private chat. Prints
 * every status text with its time, and the longest the text stood still between the first and the result.
 */
async function longJob(templates: TemplateCatalog, photo: Buffer): Promise<void> {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'memeloom-chat-bench-cache-'));
  const { fake, close } = await startBot(cacheDir, templates);
  const template = templates.list().at(-1)!;
  const user = FakeUser.inPrivate(fake, 6000);
  const pushedMs = Date.now();
  const message = user.sendPhoto(photo, { caption: `/meme ${template.id}` });
  const result = await fake.waitForCall((c) => c.ok && c.method === 'sendAnimation' && repliesTo(c) === message.message_id, { timeoutMs: TIMEOUT_MS });
  await close();
  rmSync(cacheDir, { recursive: true, force: true });
  const shown = fake.calls.filter((c) => c.ok && Number(c.params.chat_id) === user.id && (c.method === 'sendMessage' || c.method === 'editMessageText'));
  console.log(`\none long job (template ${template.id}, empty motion cache, private chat): result after ${seconds(result.atMs - pushedMs)}`);
  for (const call of shown) console.log(`  ${seconds(call.atMs - pushedMs).padStart(8)}  ${String(call.params.text)}`);
  const times = [...shown.map((c) => c.atMs), result.atMs];
  const stillMs = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
  console.log(`  ${shown.length} status texts; the longest the status stood still: ${seconds(stillMs)}`);
}

function report(name: string, fake: FakeTelegramServer, requests: Request[], wallMs: number, loopP99Ms: number, loopMaxMs: number): Record<string, number> {
  const messages = fake.calls.filter((c) => c.ok && MESSAGE_METHODS.has(c.method));
  const byChat = new Map<number, number[]>();
  for (const call of messages) {
    const chatId = Number(call.params.chat_id);
    byChat.set(chatId, [...(byChat.get(chatId) ?? []), call.atMs]);
  }
  let groupPerMinute = 0;
  let minGapMs = Number.POSITIVE_INFINITY;
  let tooClose = 0;
  for (const [chatId, times] of byChat) {
    times.sort((a, b) => a - b);
    if (chatId < 0) groupPerMinute = Math.max(groupPerMinute, maxInWindow(times, 60_000));
    for (let i = 1; i < times.length; i++) {
      minGapMs = Math.min(minGapMs, times[i]! - times[i - 1]!);
      if (times[i]! - times[i - 1]! < GOALS.chatGapMs) tooClose++;
    }
  }
  const isStatus = (c: RecordedCall) => c.method === 'sendMessage' || c.method === 'editMessageText';
  const statusCalls = messages.filter(isStatus).length;
  const inGroups = (c: { params: Record<string, unknown> } | Request) => ('chatId' in c ? c.chatId : Number(c.params.chat_id)) < 0;
  const groupStatus = messages.filter((c) => isStatus(c) && inGroups(c)).length / Math.max(1, requests.filter(inGroups).length);
  const privateStatus = messages.filter((c) => isStatus(c) && !inGroups(c)).length / Math.max(1, requests.filter((r) => !inGroups(r)).length);
  const acks = requests.filter((r) => r.ackMs !== undefined).map((r) => r.ackMs! - r.pushedMs);
  const deliveries = requests.filter((r) => r.deliveredMs !== undefined).map((r) => r.deliveredMs! - r.pushedMs);
  const refused = requests.filter((r) => r.deliveredMs === undefined && r.refused !== undefined).length;
  const lost = requests.filter((r) => r.deliveredMs === undefined && r.refused === undefined).length;
  const figures = {
    ackP50Ms: percentile(acks, 50),
    ackP99Ms: percentile(acks, 99),
    deliveryP50Ms: percentile(deliveries, 50),
    deliveryP99Ms: percentile(deliveries, 99),
    groupPerMinute,
    minGapMs,
    tooClose,
    statusPerRequest: statusCalls / requests.length,
    groupStatusPerRequest: groupStatus,
    privateStatusPerRequest: privateStatus,
    refused,
    lost,
    loopP99Ms,
    loopMaxMs,
  };
  const chats = new Set(requests.map((r) => r.chatId)).size;
  console.log(`\n${name}: ${requests.length} requests from ${USERS} users in ${chats} chats (${GROUPS} groups), wall ${seconds(wallMs)}`);
  console.log(`  first acknowledgement   p50 ${seconds(figures.ackP50Ms)}  p99 ${seconds(figures.ackP99Ms)}  (${acks.length} acknowledged; goal p99 ≤ 1 s: ${verdict(figures.ackP99Ms <= GOALS.ackP99Ms && acks.length === requests.length)})`);
  console.log(`  delivery                p50 ${seconds(figures.deliveryP50Ms)}  p99 ${seconds(figures.deliveryP99Ms)}  (goal p99 ≤ 30 s: ${verdict(figures.deliveryP99Ms <= GOALS.deliveryP99Ms && deliveries.length === requests.length)})`);
  console.log(`  messages per group per minute, max ${groupPerMinute}  (goal ≤ 20: ${verdict(groupPerMinute <= GOALS.groupPerMinute)})`);
  console.log(`  shortest gap in one chat ${minGapMs} ms, gaps under 1 s: ${tooClose}  (goal none: ${verdict(tooClose === 0)})`);
  console.log(`  status messages per request ${figures.statusPerRequest.toFixed(2)}: in groups ${groupStatus.toFixed(2)}, in private chats ${privateStatus.toFixed(2)} (${statusCalls} sends and edits of texts)`);
  console.log(`  refused ${refused}, lost ${lost}  (goal none: ${verdict(refused + lost === 0)})`);
  console.log(`  event-loop delay p99 ${loopP99Ms.toFixed(1)} ms, max ${loopMaxMs.toFixed(1)} ms  (goal p99 ≤ 100 ms: ${verdict(loopP99Ms <= GOALS.loopP99Ms)})`);
  return figures;
}

async function main(): Promise<void> {
  const templates = await loadTemplateCatalog();
  const photos = readdirSync(REFERENCE_IMAGES)
    .filter((name) => /\.jpe?g$/i.test(name))
    .sort()
    .map((name) => readFileSync(path.join(REFERENCE_IMAGES, name)));
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'memeloom-chat-bench-cache-'));
  console.log(`memeloom chat bench: ${USERS} users × ${PER_USER} requests (${PRIVATE} in private), ${GROUPS} groups, warp engine, real telegraf against the fake Bot API`);
  try {
    for (const name of args.rounds.split(',')) {
      if (name === 'long') await longJob(templates, photos[0]!);
      else await round(name === 'cold' ? 'cold (empty motion cache)' : 'warm', cacheDir, templates, photos);
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
