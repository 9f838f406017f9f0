import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../../src/config.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('config', () => {
  it('has working defaults and is frozen', () => {
    const config = loadConfig({});
    expect(config.web).toEqual({ enabled: true, host: '127.0.0.1', port: 8787 });
    expect(config.queue).toMatchObject({ maxActivePerUser: 3, gpuConcurrencyPerDevice: 1 });
    expect(config.progress.stageIntervalMs).toBe(1000);
    expect(config.telegram.token).toBeUndefined();
    expect(Object.isFrozen(config.queue)).toBe(true);
    expect(() => {
      (config.queue as { maxPending: number }).maxPending = 1;
    }).toThrow();
  });

  it('reports every problem at once, each naming its variable', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        MEMELOOM_PORT: 'eighty',
        MEMELOOM_ENGINE: 'turbo',
        MEMELOOM_MAX_PENDING: '0',
        TELEGRAM_API_ROOT: 'not a url',
        DISCORD_TOKEN: 'abc',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const named = error!.problems.map((p) => p.split(':')[0]).sort();
    expect(named).toEqual(['MEMELOOM_ENGINE', 'MEMELOOM_MAX_PENDING', 'MEMELOOM_PORT', 'TELEGRAM_API_ROOT']);
    const second = (() => {
      try {
        loadConfig({ DISCORD_TOKEN: 'abc', MEMELOOM_USER_HOURLY_LIMIT: '50', MEMELOOM_USER_DAILY_LIMIT: '10' });
      } catch (caught) {
        return (caught as ConfigError).problems;
      }
    })();
    expect(second).toHaveLength(2);
  });

  it('reads a config file named by MEMELOOM_CONFIG, the environment winning', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'memeloom-config-'));
    const file = path.join(dir, 'memeloom.env');
    writeFileSync(file, '# comment\nMEMELOOM_PORT=9000\nMEMELOOM_CPU_CONCURRENCY="3"\nMEMELOOM_LOG_LEVEL=\n');
    const config = loadConfig({ MEMELOOM_CONFIG: file, MEMELOOM_PORT: '9100' });
    expect(config.web.port).toBe(9100);
    expect(config.queue.cpuConcurrency).toBe(3);
    expect(config.logLevel).toBe('info');
    expect(() => loadConfig({ MEMELOOM_CONFIG: path.join(dir, 'missing') })).toThrow(/MEMELOOM_CONFIG: cannot read/);
  });

  it('config.example documents every setting and parses as a valid config', () => {
    const example = readFileSync(path.join(repoRoot, 'config.example'), 'utf8');
    for (const key of CONFIG_KEYS) expect(example, key).toMatch(new RegExp(`^# ${key}=`, 'm'));
    const uncommented = example.replace(/^# ([A-Z_]+=)/gm, '$1');
    const dir = mkdtempSync(path.join(tmpdir(), 'memeloom-config-'));
    writeFileSync(path.join(dir, 'all.env'), uncommented);
    expect(() => loadConfig({ MEMELOOM_CONFIG: path.join(dir, 'all.env') })).not.toThrow();
  });
});
