// Queue depth, running jobs and live worker counts per engine, read from Redis (BullMQ's own bookkeeping), and
// the Prometheus gauges over them that every bot and worker process exposes on /metrics.
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { EngineName } from '../pipeline/meme-spec.ts';

interface EngineQueueStats {
  waiting: number;
  active: number;
  workers: number;
}

export type RemoteStats = Partial<Record<EngineName, EngineQueueStats>>;

export async function readRemoteStats(queues: Map<EngineName, Queue>): Promise<RemoteStats> {
  const stats: RemoteStats = {};
  for (const [engine, queue] of queues) {
    const [counts, workers] = await Promise.all([queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'), queue.getWorkersCount()]);
    stats[engine] = { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0), active: counts.active ?? 0, workers };
  }
  return stats;
}

/** Registers the gauges; each scrape reads Redis once (a failed read marks memeloom_redis_up 0 and keeps going). */
export function registerRemoteMetrics(registry: Registry, read: () => Promise<RemoteStats>): void {
  // One Redis read serves the four gauges of a scrape (prom-client collects them one after another).
  let last: Promise<RemoteStats | undefined> | undefined;
  let lastAtMs = 0;
  const snapshot = () => {
    if (!last || Date.now() - lastAtMs > 500) {
      last = read().catch(() => undefined);
      lastAtMs = Date.now();
    }
    return last;
  };
  const perEngine = (name: string, help: string, pick: (s: EngineQueueStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['engine'],
      registers: [registry],
      async collect() {
        const stats = await snapshot();
        for (const [engine, s] of Object.entries(stats ?? {})) this.set({ engine }, pick(s));
      },
    });
  perEngine('memeloom_redis_queue_depth', 'Jobs waiting in Redis for a worker, by engine (all bot processes)', (s) => s.waiting);
  perEngine('memeloom_redis_jobs_active', 'Jobs being rendered by workers, by engine', (s) => s.active);
  perEngine('memeloom_redis_workers', 'Worker processes connected to Redis, by engine', (s) => s.workers);
  new Gauge({
    name: 'memeloom_redis_up',
    help: '1 when the last read of queue stats from Redis succeeded',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
}
