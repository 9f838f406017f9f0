// Scale-out over a real redis-server: bot and worker processes as separate OS processes (bot-process.ts on the
// real composition root; `memeloom worker` for real warp renders; fake-worker.ts = the real worker code with a
// timed renderer for the fairness and fault scenarios). Each scenario has its own Redis key prefix.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './redis-server.ts';
import { ready, sleep, useRedisScenario } from './redis-scenario.ts';
import { type Line, PHOTOS, scenarioEnv, startBot, startCli, startFakeWorker, type TestProcess } from './processes.ts';

const PHOTO = path.join(PHOTOS, 'chillout.jpg');
const { redis, track } = useRedisScenario();
const endOf = (bot: TestProcess, jobId: unknown, timeoutMs = 30_000) =>
  bot.waitFor((l) => (l.ev === 'deliver' || l.ev === 'fail') && l.jobId === jobId, timeoutMs, `the end of job ${jobId}`);
const submit = async (bot: TestProcess, ref: string, userId: string, seed: number): Promise<Line> => {
  bot.send({ cmd: 'submit', ref, userId, photo: PHOTO, templateId: 'nod-along', seed });
  return bot.waitFor((l) => (l.ev === 'submitted' || l.ev === 'refused') && l.ref === ref, 15_000, `submit ${ref}`);
};

describe('QUEUE_BACKEND=redis', () => {
  it('a job submitted by a bot process is rendered by a `memeloom worker --engine warp` process and delivered', async () => {
    const env = scenarioEnv(redis.url, 'real', { MEMELOOM_INSTANCE_ID: 'bot-real', MEMELOOM_WEB: 'true', MEMELOOM_PORT: '0' });
    const worker = track(startCli(['worker', '--engine', 'warp'], env));
    const bot = track(startBot(env));
    const { url } = await ready(bot, 'bot');
    // The CLI worker logs JSON lines on stdout; it is ready once the face model and the warp engine are loaded.
    await worker.waitFor((l) => l.msg === 'worker ready', 60_000, 'warp worker ready');
    const submitted = await submit(bot, 'one', 'cli:alice', 7);
    expect(submitted.ev).toBe('submitted');
    const end = await endOf(bot, submitted.jobId, 60_000);
    expect(end).toMatchObject({ ev: 'deliver', mime: 'image/gif' });
    expect(String(end.head)).toMatch(/^GIF8[79]a/);
    expect(end.frames as number).toBeGreaterThan(5);
    // Progress came from the worker through BullMQ and the bot's Replier, in pipeline order.
    const stages = bot.events('progress').filter((l) => l.jobId === submitted.jobId && l.stage).map((l) => l.stage);
    expect(stages).toContain('engine');
    expect(stages.indexOf('decode')).toBeLessThan(stages.indexOf('encode'));
    // The bot never loaded the pipeline; the worker did the render.
    expect(bot.stderr).toMatch(/jobs go to memeloom workers through Redis/);
    expect(bot.stderr).not.toMatch(/renderer ready/);
    expect(worker.lines.some((l) => l.msg === 'job done on worker' && l.jobId === submitted.jobId)).toBe(true);
    // /metrics reads depth and workers from Redis.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/memeloom_redis_workers\{engine="warp"\} 1/);
    expect(metrics).toMatch(/memeloom_redis_queue_depth\{engine="warp"\} 0/);
    expect(metrics).toMatch(/memeloom_redis_up 1/);
  }, 120_000);

  it('two workers share 20 jobs from 5 users: users take turns, both workers work, each job delivered once', async () => {
    const env = scenarioEnv(redis.url, 'fair', { MEMELOOM_INSTANCE_ID: 'bot-fair', MEMELOOM_MAX_ACTIVE_PER_USER: '4' });
    const workers = [track(startFakeWorker(env, 200, 'w1')), track(startFakeWorker(env, 200, 'w2'))];
    const bot = track(startBot(env));
    await Promise.all([ready(bot, 'bot'), ...workers.map((w, i) => ready(w, `worker ${i}`))]);
    // Each user sends all four at once, user after user: without fairness user 0 would get the first four slots.
    for (let user = 0; user < 5; user++) for (let k = 0; k < 4; k++) bot.send({ cmd: 'submit', ref: `${user}-${k}`, userId: `cli:u${user}`, photo: PHOTO, templateId: 'nod-along', seed: user * 100 + k });
    await expect.poll(() => bot.events('deliver').length, { timeout: 30_000, interval: 100 }).toBe(20);
    expect(bot.events('submitted')).toHaveLength(20);
    expect(new Set(bot.events('deliver').map((l) => l.jobId)).size).toBe(20);
    const renders = workers.flatMap((w) => w.events('rendered'));
    expect(renders).toHaveLength(20);
    for (const w of workers) expect(w.events('rendered').length).toBeGreaterThanOrEqual(6);
    // Order of delivery: in the first ten, every user had a turn and nobody had more than three.
    const byTime = bot.events('deliver').map((d) => Number(String(d.head).split('|')[2]));
    const firstTen = byTime.slice(0, 10).map((seed) => Math.floor(seed / 100));
    for (let user = 0; user < 5; user++) {
      const turns = firstTen.filter((u) => u === user).length;
      expect(turns, `user ${user} in the first ten: ${firstTen.join(',')}`).toBeGreaterThanOrEqual(1);
      expect(turns).toBeLessThanOrEqual(3);
    }
  }, 60_000);

  it('waiting jobs hear their queue position move up as jobs ahead of them finish', async () => {
    const env = scenarioEnv(redis.url, 'positions', { MEMELOOM_INSTANCE_ID: 'bot-positions' });
    const worker = track(startFakeWorker(env, 700, 'p1'));
    const bot = track(startBot(env));
    await Promise.all([ready(bot, 'bot'), ready(worker, 'worker')]);
    const refs: Line[] = [];
    for (let user = 0; user < 5; user++) refs.push(await submit(bot, `p${user}`, `cli:p${user}`, user));
    const last = refs[4].jobId;
    const queued = bot.events('queued').find((l) => l.jobId === last)!;
    expect(queued.position as number).toBeGreaterThanOrEqual(3);
    await endOf(bot, last, 20_000);
    const moves = bot.events('progress').filter((l) => l.jobId === last && l.stage === undefined).map((l) => l.position as number);
    expect(moves.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...moves)).toBeLessThan(queued.position as number);
    expect(moves).toEqual([...moves].sort((a, b) => b - a));
  }, 60_000);

  it('a worker SIGKILLed mid-job: the other worker picks the stalled job up and the user gets exactly one result', async () => {
    const env = scenarioEnv(redis.url, 'kill', { MEMELOOM_INSTANCE_ID: 'bot-kill', MEMELOOM_WORKER_LOCK_MS: '1000' });
    const workers = [track(startFakeWorker(env, 2400, 'k1')), track(startFakeWorker(env, 2400, 'k2'))];
    const bot = track(startBot(env));
    await Promise.all([ready(bot, 'bot'), ...workers.map((w, i) => ready(w, `worker ${i}`))]);
    const submitted = await submit(bot, 'victim', 'cli:bob', 1);
    await bot.waitFor((l) => l.ev === 'progress' && l.jobId === submitted.jobId && l.stage === 'face', 10_000, 'the job running');
    const holder = workers.find((w) => /job started on worker/.test(w.stderr))!;
    const other = workers.find((w) => w !== holder)!;
    await holder.kill('SIGKILL');
    const end = await endOf(bot, submitted.jobId, 20_000);
    expect(end.ev).toBe('deliver');
    expect(String(end.head)).toContain(other === workers[0] ? '|k1|' : '|k2|');
    await sleep(1500);
    expect(bot.events('deliver').filter((l) => l.jobId === submitted.jobId)).toHaveLength(1);
    expect(bot.events('fail')).toHaveLength(0);
  }, 60_000);

  it('a bot process killed with jobs pending: the restarted process re-attaches and delivers every result', async () => {
    const env = scenarioEnv(redis.url, 'restart', { MEMELOOM_INSTANCE_ID: 'bot-restart' });
    const worker = track(startFakeWorker(env, 700, 'r1'));
    const first = track(startBot(env));
    await Promise.all([ready(first, 'bot'), ready(worker, 'worker')]);
    const jobIds: unknown[] = [];
    for (let user = 0; user < 3; user++) jobIds.push((await submit(first, `r${user}`, `cli:r${user}`, user)).jobId);
    await first.kill('SIGKILL');
    expect(first.events('deliver')).toHaveLength(0);
    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    for (const jobId of jobIds) expect((await endOf(second, jobId, 20_000)).ev).toBe('deliver');
    expect(second.stderr).toMatch(/re-attached to jobs pending from before the restart/);
    await sleep(500);
    expect(second.events('deliver')).toHaveLength(3);
  }, 60_000);

  it('per-user limits hold across two bot processes (one active job, hourly cap)', async () => {
    const env = scenarioEnv(redis.url, 'limits', { MEMELOOM_MAX_ACTIVE_PER_USER: '1', MEMELOOM_USER_HOURLY_LIMIT: '2' });
    const worker = track(startFakeWorker(env, 600, 'l1'));
    const a = track(startBot({ ...env, MEMELOOM_INSTANCE_ID: 'bot-a' }));
    const b = track(startBot({ ...env, MEMELOOM_INSTANCE_ID: 'bot-b' }));
    await Promise.all([ready(a, 'bot a'), ready(b, 'bot b'), ready(worker, 'worker')]);
    const firstJob = await submit(a, 'a1', 'cli:carol', 1);
    expect(firstJob.ev).toBe('submitted');
    expect(await submit(b, 'b1', 'cli:carol', 2)).toMatchObject({ ev: 'refused', code: 'BUSY' });
    expect((await submit(b, 'b-other', 'cli:dave', 3)).ev).toBe('submitted');
    expect((await endOf(a, firstJob.jobId)).ev).toBe('deliver');
    await sleep(100);
    const second = await submit(b, 'b2', 'cli:carol', 4);
    expect(second.ev).toBe('submitted');
    expect((await endOf(b, second.jobId)).ev).toBe('deliver');
    await sleep(100);
    expect(await submit(a, 'a3', 'cli:carol', 5)).toMatchObject({ ev: 'refused', code: 'RATE_LIMITED' });
  }, 60_000);

  it('cancel: a waiting job is removed, a running one is aborted on its worker; both users may submit again', async () => {
    const env = scenarioEnv(redis.url, 'cancel', { MEMELOOM_INSTANCE_ID: 'bot-cancel' });
    const worker = track(startFakeWorker(env, 3000, 'c1'));
    const bot = track(startBot(env));
    await Promise.all([ready(bot, 'bot'), ready(worker, 'worker')]);
    const running = await submit(bot, 'run', 'cli:frank', 1);
    await bot.waitFor((l) => l.ev === 'progress' && l.jobId === running.jobId && l.stage !== undefined, 10_000, 'the first job running');
    const waiting = await submit(bot, 'wait', 'cli:gina', 2);
    bot.send({ cmd: 'cancel', jobId: waiting.jobId });
    expect(await endOf(bot, waiting.jobId, 5000)).toMatchObject({ ev: 'fail', code: 'CANCELLED' });
    bot.send({ cmd: 'cancel', jobId: running.jobId });
    expect(await endOf(bot, running.jobId, 5000)).toMatchObject({ ev: 'fail', code: 'CANCELLED' });
    expect(worker.events('rendered')).toHaveLength(0);
    expect(worker.stderr).toMatch(/"code":"CANCELLED"/);
    expect((await submit(bot, 'again-f', 'cli:frank', 3)).ev).toBe('submitted');
    expect((await submit(bot, 'again-g', 'cli:gina', 4)).ev).toBe('submitted');
  }, 60_000);

  it('Redis down mid-operation: requests get BACKEND_UNAVAILABLE, then work again once Redis is back', async () => {
    const env = scenarioEnv(redis.url, 'outage', { MEMELOOM_INSTANCE_ID: 'bot-outage' });
    const worker = track(startFakeWorker(env, 200, 'o1'));
    const bot = track(startBot(env));
    await Promise.all([ready(bot, 'bot'), ready(worker, 'worker')]);
    await redis.stop();
    expect(await submit(bot, 'down', 'cli:erin', 1)).toMatchObject({ ev: 'refused', code: 'BACKEND_UNAVAILABLE' });
    await redis.restart();
    // No manual step: the clients reconnect by themselves.
    let after: Line | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      after = await submit(bot, `up${attempt}`, 'cli:erin', 10 + attempt);
      if (after.ev === 'submitted') break;
      await sleep(500);
    }
    expect(after?.ev).toBe('submitted');
    expect((await endOf(bot, after!.jobId, 20_000)).ev).toBe('deliver');
  }, 60_000);

  it('Redis unreachable at start: `memeloom start` and `memeloom worker` exit with a clear error', async () => {
    const port = await freePort();
    const env = scenarioEnv(`redis://127.0.0.1:${port}`, 'nope');
    const start = track(startCli(['start'], env));
    const worker = track(startCli(['worker'], env));
    expect(await start.exited).not.toBe(0);
    expect(await worker.exited).not.toBe(0);
    for (const p of [start, worker]) expect(p.stderr).toMatch(new RegExp(`BACKEND_UNAVAILABLE: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
  }, 60_000);
});
