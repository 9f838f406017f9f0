// Cross-process limits in Redis, each check-and-record one Lua script (atomic): the per-user cap of queued plus
// running jobs (the same rule as the embedded queue: extra jobs wait, the cap refuses), hourly/daily caps, the
// global pending cap; plus release when a job ends. Knows nothing of memes.
import type { Redis } from 'ioredis';
import { MemeError } from '../errors.ts';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

// KEYS: active zset of the user (member job id, score expiry), rate zset of the user (score accept time), waiting zset.
// ARGV: jobId, nowMs, maxActive, maxPending, hourly, daily, activeTtlMs.
// Expired entries are pruned first, so a job lost with its process frees its user after activeTtlMs at worst.
const ADMIT_LUA = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local active = redis.call('ZCARD', KEYS[1])
if active >= tonumber(ARGV[3]) then return {'BUSY', 0, active} end
local waiting = redis.call('ZCARD', KEYS[3])
if waiting >= tonumber(ARGV[4]) then return {'QUEUE_FULL', 0, waiting} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ${DAY_MS})
local retry = 0
local tightest = 0
local windows = {{${HOUR_MS}, tonumber(ARGV[5])}, {${DAY_MS}, tonumber(ARGV[6])}}
for i, w in ipairs(windows) do
  local count = redis.call('ZCOUNT', KEYS[2], '(' .. (now - w[1]), '+inf')
  if count >= w[2] then
    local blocking = redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', '(' .. (now - w[1]), 'WITHSCORES', 'LIMIT', w[2] - 1, 1)
    local wait = tonumber(blocking[2]) + w[1] - now
    if wait > retry then
      retry = wait
      tightest = i
    end
  end
end
if retry > 0 then return {'RATE_LIMITED', retry, tightest} end
local ttl = tonumber(ARGV[7])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ${DAY_MS})
redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
return {'OK', active + 1, waiting + 1}
`;

interface AdmissionLimits {
  maxActivePerUser: number;
  maxPending: number;
  hourlyLimitPerUser: number;
  dailyLimitPerUser: number;
  /** How long an admitted job may hold its user's slot if nobody releases it (crash safety). */
  activeTtlMs: number;
}

interface Admitted {
  /** 1-based: this is the user's n-th active job; used as the BullMQ priority, so users take turns. */
  userRank: number;
  /** 1-based place among waiting jobs at admission. */
  position: number;
}

export class RedisAdmission {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Admits or throws BUSY, QUEUE_FULL or RATE_LIMITED (with retryAfterSec); all in one atomic step. */
  async admit(userId: string, jobId: string, limits: AdmissionLimits, nowMs = Date.now()): Promise<Admitted> {
    const reply = (await this.#redis.eval(
      ADMIT_LUA,
      3,
      this.#activeKey(userId),
      this.#rateKey(userId),
      this.#waitingKey(),
      jobId,
      nowMs,
      limits.maxActivePerUser,
      limits.maxPending,
      limits.hourlyLimitPerUser,
      limits.dailyLimitPerUser,
      limits.activeTtlMs,
    )) as [string, number, number];
    const [verdict, a, b] = reply;
    if (verdict === 'OK') return { userRank: a, position: b };
    const max = limits.maxActivePerUser;
    if (verdict === 'BUSY') throw new MemeError('BUSY', `user already has ${b} job(s) queued or running`, { maxActivePerUser: max, max });
    if (verdict === 'QUEUE_FULL') throw new MemeError('QUEUE_FULL', `queue holds ${b} waiting jobs`, { maxPending: limits.maxPending, max: limits.maxPending });
    // b: 1 = the hourly window held the user back longest, 2 = the daily one.
    const [windowMax, windowSec] = b === 2 ? [limits.dailyLimitPerUser, DAY_MS / 1000] : [limits.hourlyLimitPerUser, HOUR_MS / 1000];
    throw new MemeError('RATE_LIMITED', 'per-user request cap reached', { retryAfterSec: Math.ceil(a / 1000), max: windowMax, windowSec });
  }

  /** The job left the waiting set (a worker took it). */
  async started(jobId: string): Promise<void> {
    await this.#redis.zrem(this.#waitingKey(), jobId);
  }

  /** The job is over (done, failed, cancelled, removed): its user may submit again. */
  async release(userId: string, jobId: string): Promise<void> {
    await this.#redis.multi().zrem(this.#activeKey(userId), jobId).zrem(this.#waitingKey(), jobId).exec();
  }

  /** Waiting jobs as counted for the pending cap. */
  async waiting(nowMs = Date.now()): Promise<number> {
    return this.#redis.zcount(this.#waitingKey(), `(${nowMs}`, '+inf');
  }

  #activeKey(userId: string): string {
    return `${this.#prefix}:active:${userId}`;
  }
  #rateKey(userId: string): string {
    return `${this.#prefix}:rate:${userId}`;
  }
  #waitingKey(): string {
    return `${this.#prefix}:waiting`;
  }
}
