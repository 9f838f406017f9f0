// /metrics for a worker process: the same Redis-wide gauges a bot serves (queue depth, active jobs, workers per
// engine), so any process can be scraped. Bound to 127.0.0.1 unless told otherwise; nothing else is served.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
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
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}/metrics`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
    },
  };
}
