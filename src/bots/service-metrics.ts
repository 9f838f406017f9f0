// Prometheus metrics for the bot core on its own registry: queue depth and running jobs (read at scrape time),
// job durations by engine and stage, outcomes, failures by code, cache hits. Served by web/ at /metrics.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueStats } from '../queue/queue-types.ts';

export interface ServiceMetrics {
  registry: Registry;
  jobDuration: Histogram<'engine' | 'stage'>;
  failures: Counter<'code'>;
  outcomes: Counter<'outcome'>;
  cacheHits: Counter;
}

export function createServiceMetrics(readStats: () => QueueStats): ServiceMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'memeloom_queue_depth',
    help: 'Jobs waiting in each lane',
    labelNames: ['lane'],
    registers: [registry],
    collect() {
      for (const [lane, s] of Object.entries(readStats().lanes)) this.set({ lane }, s.queued);
    },
  });
  new Gauge({
    name: 'memeloom_jobs_running',
    help: 'Jobs holding a worker slot in each lane',
    labelNames: ['lane'],
    registers: [registry],
    collect() {
      for (const [lane, s] of Object.entries(readStats().lanes)) this.set({ lane }, s.running);
    },
  });
  return {
    registry,
    jobDuration: new Histogram({
      name: 'memeloom_job_duration_seconds',
      help: 'Time per pipeline stage and in total (stage="total"), by engine',
      labelNames: ['engine', 'stage'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    failures: new Counter({ name: 'memeloom_job_failures_total', help: 'Jobs ended with an error, by code', labelNames: ['code'], registers: [registry] }),
    outcomes: new Counter({
      name: 'memeloom_jobs_total',
      help: 'Requests by outcome (delivered, cached, joined a render in flight, failed, refused)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    cacheHits: new Counter({ name: 'memeloom_cache_hits_total', help: 'Requests answered from the result cache', registers: [registry] }),
  };
}
