// The embedded backend: the in-process JobQueue runs each MemeJob on this process's Renderer. The default;
// it keeps the queue's synchronous submit so events and positions behave exactly as before the seam.
import type { Config } from '../config.ts';
import type { EngineName, MemeResult, Renderer } from '../pipeline/meme-spec.ts';
import { JobQueue } from '../queue/job-queue.ts';
import type { JobContext, JobHandle } from '../queue/queue-types.ts';
import { LANE_OF, type MemeJob, type MemeJobBackend } from '../jobs/job-backend.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { UploadStore } from './upload-store.ts';

/** Lanes from config: warp on the CPU lane; HelloMeme on one GPU lane spanning the configured devices. */
export function createQueueFromConfig(config: Config, now?: () => number, logger: Logger = silentLogger): JobQueue {
  const q = config.queue;
  const lanes = [{ name: 'cpu', devices: 1, concurrencyPerDevice: q.cpuConcurrency, timeoutMs: q.warpTimeoutMs, initialJobMs: 3000 }];
  if (q.gpuDevices > 0) {
    lanes.push({ name: 'gpu', devices: q.gpuDevices, concurrencyPerDevice: q.gpuConcurrencyPerDevice, timeoutMs: q.hellomemeTimeoutMs, initialJobMs: 60_000 });
  }
  return new JobQueue({
    lanes,
    maxPending: q.maxPending,
    maxActivePerUser: q.maxActivePerUser,
    hourlyLimitPerUser: q.hourlyLimitPerUser,
    dailyLimitPerUser: q.dailyLimitPerUser,
    now,
    onAbandoned: (jobId, lane) => logger.warn('aborted job did not stop; its slot was released', { jobId, lane }),
  });
}

export function createLocalBackend(queue: JobQueue, renderer: Renderer, uploads: UploadStore): MemeJobBackend {
  const render = async (job: MemeJob, context: JobContext): Promise<MemeResult> => {
    const { signal, report, jobId } = context;
    // Clips go to disk only while their job runs: the pipeline reads them by path.
    const clip = job.driver ? await uploads.stageClip(jobId, job.driver.bytes, job.driver.ext) : undefined;
    try {
      const spec = clip ? { ...job.spec, driverPath: clip.path } : job.spec;
      return await renderer.render(spec, { signal, onProgress: (p) => report({ stage: p.stage, fraction: p.overall }) });
    } finally {
      await clip?.release();
    }
  };
  return {
    kind: 'local',
    get autoEngine(): EngineName {
      const decided = renderer.autoChoice?.engine ?? 'warp';
      return this.engines.includes(decided) ? decided : 'warp';
    },
    get engines(): EngineName[] {
      return renderer.engines.filter((e) => queue.laneNames.includes(LANE_OF[e]));
    },
    get styles(): readonly string[] {
      return renderer.styles ?? [];
    },
    submit: (job): JobHandle<MemeResult> =>
      queue.submit<MemeResult>({
        userId: job.userId,
        lane: LANE_OF[job.engine],
        priority: job.priority,
        companion: job.companion,
        onEvent: job.onEvent,
        run: (context) => render(job, context),
      }),
    cancel: (jobId) => queue.cancel(jobId),
    cancelForUser: (userId) => queue.cancelForUser(userId),
    stats: () => queue.stats(),
    shutdown: (graceMs) => queue.shutdown(graceMs),
  };
}
