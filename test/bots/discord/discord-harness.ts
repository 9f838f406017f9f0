// Starts the real stack (config → renderer → service) and the Discord adapter against the local fake Discord.
// Only Discord is fake; the clock given to the adapter can be pushed forward to play an expired token.
// Also what the end-to-end tests share: attachments on the fake CDN, readers of what Discord got, /meme payloads.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { type DiscordConfig, discordConfigFrom } from '../../../src/bots/discord/discord-config.ts';
import { type DiscordBot, startDiscord } from '../../../src/bots/discord/start-discord.ts';
import type { Config } from '../../../src/config.ts';
import type { MemeResult, MemeSpec, Renderer } from '../../../src/pipeline/meme-spec.ts';
import type { TemplateCatalog } from '../../../src/templates/template-types.ts';
import { driveVideo, referenceImage } from '../../helpers/fixtures.ts';
import { startRealCore } from '../../helpers/real-core.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import type { InteractionRecord, RecordedRequest } from '../fakes/discord/fake-rest-state.ts';
import { attachment, chatInput, type FakeAttachment, type FakeUser } from '../fakes/discord/interaction-payloads.ts';

export const ALICE: FakeUser = { id: '1400000000000000001', username: 'alice', avatar: 'a1b2c3' };
export const BOB: FakeUser = { id: '1400000000000000002', username: 'bob', avatar: null };

/** Discord's message flag for "only the requester sees this". */
export const EPHEMERAL = 64;
/** Application command option types. */
export const ATTACHMENT = 11;
export const STRING = 3;
// Under a plain 512 px GIF of these templates (about 2.8 MB), so the encoder's ladder has to meet it.
export const LIMIT_BYTES = 2 * 1024 * 1024;

export interface Harness {
  fake: FakeDiscord;
  bot: DiscordBot;
  /** The app's config the adapter was built from (limits included). */
  config: Config;
  templates: TemplateCatalog;
  renderer: Renderer;
  /** The specs the real renderer was asked for, in order. */
  rendered: MemeSpec[];
  /** What it rendered, in the order renders started. */
  results: MemeResult[];
  /** Added to Date.now() for the adapter's clock. */
  clock: { offsetMs: number };
  logs: string[];
  /** Serves a fixture photo on the fake CDN and describes it as a Discord attachment. */
  photoAttachment(file: string, declaredSize?: number): Promise<FakeAttachment>;
  /** Serves a fixture driving clip (an original clip name, or a path) the same way. */
  clipAttachment(file: string, declaredSize?: number): Promise<FakeAttachment>;
  /** Serves any bytes under any name and type, as Discord would describe an upload of them. */
  fileAttachment(name: string, bytes: Buffer, contentType: string, declaredSize?: number): FakeAttachment;
  /** The interaction's first callback Discord accepted (a deferral, a reply, an update). */
  firstCallback(record: InteractionRecord, what: string): Promise<RecordedRequest>;
  /** The accepted edit of the interaction's reply that carried the rendered file. */
  resultEdit(record: InteractionRecord): Promise<RecordedRequest>;
  /** Checks the interaction was deferred within 3 s and its reply then got a GIF under the upload limit. */
  deferredGif(record: InteractionRecord): Promise<{ result: RecordedRequest; file: RecordedRequest['files'][number] }>;
  /** The follow-up that tells the requester alone why a deferred request ended (its public reply removed). */
  privateFollowUp(record: InteractionRecord): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** Content types Discord gives uploads by their extension. */
const CONTENT_TYPES: Record<string, string> = { '.png': 'image/png', '.gif': 'image/gif', '.mp4': 'video/mp4', '.webm': 'video/webm' };

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'image/jpeg';
}

/** `env` adds settings to the bot's environment (limits, say), as `npm start` would read them. */
export async function startHarness(
  overrides: Partial<DiscordConfig> = {},
  env: Record<string, string> = {},
  /** Adds the tiny HelloMeme (test/helpers/tiny-hellomeme.ts). */
  engines: Parameters<typeof startRealCore>[1] = {},
): Promise<Harness> {
  const fake = await FakeDiscord.start();
  const core = await startRealCore({ DISCORD_TOKEN: 'fake-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase, ...env }, engines);
  const { config, templates, renderer, rendered, results, service } = core;
  const clock = { offsetMs: 0 };
  const logs: string[] = [];
  // The same env → Config → DiscordConfig path as `npm start`, plus the CDN (no env variable for it).
  const discordConfig: DiscordConfig = { ...discordConfigFrom(config), cdnBase: fake.cdnBase, ...overrides };
  const bot = await startDiscord(discordConfig, service, templates, {
    nowMs: () => Date.now() + clock.offsetMs,
    log: (message, error) => logs.push(`${message}${error ? `: ${String(error)}` : ''}`),
  });
  const fileAttachment = (name: string, bytes: Buffer, contentType: string, declaredSize?: number): FakeAttachment => {
    const url = fake.addCdnFile(`/attachments/1300000000000000001/${fake.state.snowflake()}/${name}`, bytes, contentType);
    return attachment(url, name, declaredSize ?? bytes.length, contentType);
  };
  const fixtureAttachment = async (file: string, declaredSize?: number): Promise<FakeAttachment> => {
    const name = path.basename(file);
    return fileAttachment(name, await readFile(file), contentTypeOf(name), declaredSize);
  };
  const acceptedCallbacks = (record: InteractionRecord) => fake.requestsFor(record).filter((r) => r.path.endsWith('/callback') && r.status === 204);
  const firstCallback = (record: InteractionRecord, what: string) => fake.waitFor(() => acceptedCallbacks(record)[0], 10_000, what);
  const resultEdit = (record: InteractionRecord) => {
    const pick = () => fake.requestsFor(record).find((r) => r.method === 'PATCH' && r.files.length > 0 && r.status === 200);
    return fake.waitFor(pick, 60_000, 'the result edit');
  };
  return {
    fake,
    bot,
    config,
    templates,
    renderer,
    rendered,
    results,
    clock,
    logs,
    photoAttachment: (file, declaredSize) => fixtureAttachment(file.includes('/') ? file : referenceImage(file), declaredSize),
    clipAttachment: (file, declaredSize) => fixtureAttachment(file.includes('/') ? file : driveVideo(file), declaredSize),
    fileAttachment,
    firstCallback,
    resultEdit,
    async deferredGif(record) {
      const defer = await firstCallback(record, 'the deferral');
      expect(defer.json?.type).toBe(5);
      expect(defer.atMs - record.dispatchedAtMs).toBeLessThan(3_000);
      const result = await resultEdit(record);
      const file = result.files[0];
      expect(file.name).toBe('meme.gif');
      expect(isGif(file.bytes)).toBe(true);
      expect(file.bytes.length).toBeLessThanOrEqual(LIMIT_BYTES);
      return { result, file };
    },
    privateFollowUp(record) {
      const pick = () => fake.requestsFor(record).find((r) => r.method === 'POST' && !r.path.endsWith('/callback'));
      return fake.waitFor(pick, 60_000, 'the ephemeral follow-up');
    },
    async close() {
      await bot.stop();
      await core.close();
      await fake.close();
    },
  };
}

/** The `data` of an interaction callback body. */
export function dataOf<T>(request: RecordedRequest): T {
  return (request.json?.data ?? {}) as T;
}

export function isGif(bytes: Buffer): boolean {
  return ['GIF87a', 'GIF89a'].includes(bytes.subarray(0, 6).toString('latin1'));
}

/** How long an animated GIF plays, from its frame delays. */
export async function gifDurationSec(bytes: Buffer): Promise<number> {
  const { delay = [] } = await sharp(bytes, { animated: true }).metadata();
  return delay.reduce((sum, ms) => sum + ms, 0) / 1000;
}

/** Alice's `/meme photo:<photo> ...` in a channel whose upload limit is LIMIT_BYTES. */
export function memeCommand(photoId: string, extra: Array<{ name: string; type: number; value: string }>, resolved: Record<string, unknown>) {
  return chatInput('meme', [{ name: 'photo', type: ATTACHMENT, value: photoId }, ...extra], { attachments: resolved }, {
    user: ALICE,
    attachmentSizeLimit: LIMIT_BYTES,
  });
}
