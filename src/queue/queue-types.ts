// The queue's public shapes: lanes, job specs, the events a job emits and the handle a submitter holds.
// Generic: a job is a function of (signal, report); the queue never knows what it renders.

export type JobPriority = 'preview' | 'full';

/** One pool of workers, e.g. `cpu` for warp or `gpu` for HelloMeme; jobs in one lane never wait on another. */
export interface LaneOptions {
  name: string;
  /** Devices in the lane (GPUs); 1 for the CPU lane. */
  devices: number;
  /** Jobs run at once on each device. */
  concurrencyPerDevice: number;
  /** A running job is aborted with TIMEOUT after this long. */
  timeoutMs: number;
  /** ETA estimate for a job before any has finished in this lane. */
  initialJobMs: number;
}

export interface JobQueueOptions {
  lanes: LaneOptions[];
  /** Jobs waiting (not running) across all lanes; beyond it submit throws QUEUE_FULL. */
  maxPending: number;
  /** Queued plus running jobs per user: extra jobs wait behind the user's first; beyond the cap submit throws BUSY. */
  maxActivePerUser: number;
  hourlyLimitPerUser: number;
  dailyLimitPerUser: number;
  /** After an abort, how long work may take to notice before its slot is given back anyway (default 30 s). */
  abandonAfterMs?: number;
  /** Recent jobs the ETA averages over (default 20). */
  etaWindow?: number;
  now?: () => number;
  /** Called when aborted work ignored its signal past abandonAfterMs (for logs). */
  onAbandoned?: (jobId: string, lane: string) => void;
}

interface JobProgress {
  stage: string;
  /** 0..1 over the whole job. */
  fraction: number;
}

export interface JobContext {
  jobId: string;
  /** Fires on cancel, timeout (reason: MemeError TIMEOUT) and shutdown; long work must check it between steps. */
  signal: AbortSignal;
  /** Which device of the lane this job holds (0-based). */
  deviceIndex: number;
  report(progress: JobProgress): void;
}

export type JobEvent =
  | { type: 'queued'; jobId: string; position: number; etaSec: number }
  | { type: 'position'; jobId: string; position: number; etaSec: number }
  | { type: 'started'; jobId: string; deviceIndex: number; etaSec: number }
  | { type: 'progress'; jobId: string; stage: string; fraction: number; etaSec: number };

export interface JobSpec<T> {
  userId: string;
  lane: string;
  priority?: JobPriority;
  /** Overrides the lane's timeout for this job. */
  timeoutMs?: number;
  /**
   * The second job of a request already admitted with its first (a previewed request's preview, whose HD job holds
   * the user's slot): no admission, cap or rate count of its own, so one request costs one.
   */
  companion?: boolean;
  run(context: JobContext): Promise<T>;
  /** Position, start and progress events; called synchronously, so keep it cheap. */
  onEvent?(event: JobEvent): void;
}

export interface JobHandle<T> {
  id: string;
  /** Resolves with the work's value; rejects with a MemeError (CANCELLED, TIMEOUT, SHUTTING_DOWN, or the work's own). */
  done: Promise<T>;
  cancel(): boolean;
}

interface LaneStats {
  queued: number;
  running: number;
  concurrency: number;
  avgJobMs: number;
}

export interface QueueStats {
  accepting: boolean;
  pending: number;
  running: number;
  lanes: Record<string, LaneStats>;
}
