import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS } from '../../../src/config.ts';
import { buildCommandDefinitions } from '../../../src/bots/discord/command-definitions.ts';
import { engineForGuild } from '../../../src/bots/discord/discord-config.ts';
import { GuildGate } from '../../../src/bots/discord/guild-gate.ts';
import { GuildSettingsStore } from '../../../src/bots/discord/guild-settings-store.ts';

describe('GuildGate', () => {
  it('refuses channels outside the allow-list', () => {
    const gate = new GuildGate(() => 0);
    const settings = { allowedChannelIds: ['10', '11'] };
    expect(gate.check(settings, 'g', '10', 'u')).toEqual({ ok: true });
    expect(gate.check(settings, 'g', '12', 'u')).toEqual({ ok: false, reason: 'channel' });
    expect(gate.check({}, 'g', '12', 'u')).toEqual({ ok: true });
  });

  it('caps renders per user per guild and resets at the UTC day boundary', () => {
    let now = Date.UTC(2026, 0, 1, 23, 0);
    const gate = new GuildGate(() => now);
    const settings = { dailyCapPerUser: 2 };
    gate.record('g', 'u');
    gate.record('g', 'u');
    expect(gate.check(settings, 'g', 'c', 'u')).toEqual({ ok: false, reason: 'cap', cap: 2 });
    expect(gate.check(settings, 'g', 'c', 'other')).toEqual({ ok: true });
    expect(gate.check(settings, 'other-guild', 'c', 'u')).toEqual({ ok: true });
    now = Date.UTC(2026, 0, 2, 0, 30);
    expect(gate.check(settings, 'g', 'c', 'u')).toEqual({ ok: true });
  });
});

describe('GuildSettingsStore', () => {
  it('merges defaults, config entries and the admins\' file, and maps the engine choice', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'memeloom-guilds-'));
    const settingsFile = path.join(dir, 'guilds.json');
    await writeFile(settingsFile, JSON.stringify({ '7': { dailyCapPerUser: 3 } }));
    const config = { token: 't', applicationId: '1', settingsFile, defaultGuild: { engine: 'full' as const, dailyCapPerUser: 5 }, guilds: { '7': { engine: 'preview' as const } } };
    const store = await GuildSettingsStore.load(config);
    expect(store.get('7')).toEqual({ engine: 'preview', dailyCapPerUser: 3 });
    expect(store.get(null)).toEqual({ engine: 'full', dailyCapPerUser: 5 });
    expect(engineForGuild(store.get('7'))).toEqual({ engine: 'warp', priority: 'preview', upgrade: false });
    expect(engineForGuild({})).toEqual({ engine: 'auto', priority: 'full', upgrade: true });
    expect(engineForGuild({ upgrade: 'off' })).toEqual({ engine: 'auto', priority: 'full', upgrade: false });
    await rm(dir, { recursive: true, force: true });
  });

  it('persists admin changes across a reload; null clears back to the default', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'memeloom-guilds-'));
    const config = { token: 't', applicationId: '1', settingsFile: path.join(dir, 'sub', 'guilds.json'), defaultGuild: { dailyCapPerUser: 50 } };
    const store = await GuildSettingsStore.load(config);
    expect(store.get('8')).toEqual({ dailyCapPerUser: 50 });
    await store.update('8', { allowedChannelIds: ['11', '12'], dailyCapPerUser: 2 });
    await store.update('8', { engine: 'preview' });
    const reloaded = await GuildSettingsStore.load(config);
    expect(reloaded.get('8')).toEqual({ allowedChannelIds: ['11', '12'], dailyCapPerUser: 2, engine: 'preview' });
    await reloaded.update('8', { dailyCapPerUser: null, allowedChannelIds: null });
    expect(reloaded.get('8')).toEqual({ dailyCapPerUser: 50, engine: 'preview' });
    await expect(reloaded.update('8', { dailyCapPerUser: -1 })).rejects.toThrow();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a settings file that does not validate', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'memeloom-guilds-'));
    const settingsFile = path.join(dir, 'guilds.json');
    await writeFile(settingsFile, JSON.stringify({ '9': { engine: 'turbo' } }));
    await expect(GuildSettingsStore.load({ token: 't', applicationId: '1', settingsFile })).rejects.toThrow(/invalid/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('command definitions', () => {
  it('declares /meme, /drive, /templates, /meme-settings and both context menus as Discord expects', () => {
    const commands = buildCommandDefinitions(DEFAULT_INPUT_LIMITS.maxCaptionChars);
    expect(commands.map((c) => [c.name, c.type])).toEqual([
      ['meme', 1],
      ['drive', 1],
      ['templates', 1],
      ['meme-settings', 1],
      ['Make it a meme', 3],
      ['Memeify avatar', 2],
    ]);
    const meme = commands[0] as { options: Array<{ name: string; type: number; autocomplete?: boolean; required?: boolean }> };
    expect(meme.options.map((o) => o.name)).toEqual(['photo', 'user', 'template', 'top', 'bottom', 'format', 'no-caption', 'style']);
    // Discord's caption boxes stop at the configured limit; no-caption is a boolean (type 5).
    expect(meme.options.filter((o) => o.name === 'top' || o.name === 'bottom').map((o) => (o as { max_length?: number }).max_length)).toEqual([80, 80]);
    expect(meme.options.find((o) => o.name === 'no-caption')?.type).toBe(5);
    expect(meme.options.find((o) => o.name === 'template')?.autocomplete).toBe(true);
    const drive = commands[1] as { options: Array<{ name: string; type: number; required?: boolean }> };
    expect(drive.options.map((o) => [o.name, o.type, o.required])).toEqual([['photo', 11, true], ['clip', 11, true], ['style', 3, false]]);
    const settings = commands[3] as { default_member_permissions: string; contexts: number[]; options: Array<{ name: string }> };
    expect(settings.default_member_permissions).toBe('32');
    expect(settings.contexts).toEqual([0]);
    expect(settings.options.map((o) => o.name)).toEqual(['show', 'allow-channel', 'disallow-channel', 'all-channels', 'daily-cap', 'engine', 'upgrade']);
  });
});
