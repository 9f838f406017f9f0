// The ops endpoints of a worker process (ops-server.ts: /healthz, /metrics): the same Redis-wide gauges a bot
// serves (queue depth, active jobs, workers per engine), so any process can be scraped.
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { startOpsServer } from '../ops-server.ts';
import type { EngineName } from '../pipeline/meme-spec.ts';
import { queueName } from './job-payload.ts';
import { bullConnection } from './redis-connection.ts';
import { readRemoteStats, registerRemoteMetrics } from './remote-stats.ts';

export async function startWorkerMetrics(redis: { url: string; prefix: string }, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const queues = new Map<EngineName, Queue>();
  for (const engine of ['warp', 'hellomeme'] as const) {
    const queue = new Queue(queueName(engine), { connection: bullConnection(redis.url, 'producer'), prefix: `${redis.prefix}:bull` });
    queue.on('error', () => undefined);
    queues.set(engine, queue);
  }
  const registry = new Registry();
  registerRemoteMetrics(registry, () => readRemoteStats(queues));
  const ops = await startOpsServer({ registry, health: () => ({ ok: true, body: { role: 'worker' } }) }, host, port);
  return {
    url: `${ops.url}/metrics`,
    async close() {
      await ops.close();
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
    },
  };
}
