// The Redis admission script on a real redis-server (explicit clock): BUSY, QUEUE_FULL, hourly and daily caps
// with their retry-after, release, and expiry of slots nobody released; plus the folder blob store.
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemeError } from '../../../src/errors.ts';
import { RedisAdmission } from '../../../src/remote/admission.ts';
import { FolderBlobStore } from '../../../src/remote/blob-store.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

const HOUR = 3600_000;
const limits = { maxActivePerUser: 1, maxPending: 100, hourlyLimitPerUser: 2, dailyLimitPerUser: 3, activeTtlMs: 10 * HOUR };
let redis: TestRedis;
let client: Redis;

async function refusal(promise: Promise<unknown>): Promise<MemeError> {
  try {
    await promise;
  } catch (error) {
    return error as MemeError;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  redis = await startTestRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

describe('RedisAdmission', () => {
  it('one active job per user, released when it ends; users are ranked by their active jobs', async () => {
    const admission = new RedisAdmission(client, 'busy');
    expect(await admission.admit('u', 'j1', limits, 0)).toEqual({ userRank: 1, position: 1 });
    expect((await refusal(admission.admit('u', 'j2', limits, 10))).code).toBe('BUSY');
    await admission.release('u', 'j1');
    expect((await admission.admit('u', 'j2', limits, 20)).userRank).toBe(1);
    const two = { ...limits, maxActivePerUser: 2 };
    expect((await admission.admit('v', 'k1', two, 30)).userRank).toBe(1);
    expect((await admission.admit('v', 'k2', two, 40)).userRank).toBe(2);
    // The cap counts queued plus running jobs, and the refusal carries it for the user's message.
    expect(await refusal(admission.admit('v', 'k3', two, 50))).toMatchObject({ code: 'BUSY', details: { max: 2 } });
  });

  it('hourly then daily caps, each with the time until the blocking request leaves its window', async () => {
    const admission = new RedisAdmission(client, 'rate');
    for (const [id, t] of [['a', 0], ['b', 1000]] as const) {
      await admission.admit('u', id, limits, t);
      await admission.release('u', id);
    }
    const hourly = await refusal(admission.admit('u', 'c', limits, 2000));
    expect(hourly.code).toBe('RATE_LIMITED');
    expect(hourly.details).toMatchObject({ retryAfterSec: Math.ceil((HOUR - 2000) / 1000), max: 2, windowSec: 3600 });
    await admission.admit('u', 'c', limits, HOUR + 1); // 'a' left the hour; third of the day
    await admission.release('u', 'c');
    const daily = await refusal(admission.admit('u', 'd', limits, 3 * HOUR));
    expect(daily.code).toBe('RATE_LIMITED');
    expect(daily.details).toMatchObject({ retryAfterSec: Math.ceil((24 * HOUR - 3 * HOUR) / 1000), max: 3, windowSec: 24 * 3600 });
  });

  it('the pending cap counts waiting jobs only; a started job frees its place', async () => {
    const admission = new RedisAdmission(client, 'pending');
    const one = { ...limits, maxPending: 1 };
    await admission.admit('u1', 'p1', one, 0);
    expect((await refusal(admission.admit('u2', 'p2', one, 1))).code).toBe('QUEUE_FULL');
    await admission.started('p1');
    expect((await admission.admit('u2', 'p2', one, 2)).position).toBe(1);
  });

  it('a slot nobody released expires after activeTtlMs', async () => {
    const admission = new RedisAdmission(client, 'ttl');
    const short = { ...limits, activeTtlMs: 1000 };
    await admission.admit('u', 'lost', short, 0);
    expect((await refusal(admission.admit('u', 'next', short, 999))).code).toBe('BUSY');
    expect((await admission.admit('u', 'next', short, 1001)).userRank).toBe(1);
  });
});

describe('FolderBlobStore', () => {
  it('stores and reads by key, refuses keys that are not its own, sweeps blobs past the TTL', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'memeloom-blobs-')), 'blobs');
    const store = new FolderBlobStore(dir, HOUR);
    const key = await store.put(Buffer.from('photo'), 'JPG');
    expect(key).toMatch(/^[0-9a-f-]{36}\.jpg$/);
    expect((await store.get(key)).toString()).toBe('photo');
    expect((await store.localFile(key)).path).toBe(path.join(dir, key));
    await expect(store.get('../../etc/passwd')).rejects.toMatchObject({ code: 'INTERNAL' });
    const old = await store.put(Buffer.from('old'));
    const past = (Date.now() - 2 * HOUR) / 1000;
    utimesSync(path.join(dir, old), past, past);
    expect(await store.sweep()).toBe(1);
    await expect(store.get(old)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await store.get(key)).toString()).toBe('photo');
  });
});
