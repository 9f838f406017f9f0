// The seam between the meme service (bots/) and where its jobs run: a job is a serialisable MemeSpec plus input
// bytes, run in-process (bots/local-backend.ts) or by `memeloom worker` processes over Redis (remote/). No
// closures cross it, and it knows no front end: a route names its adapter and carries that adapter's JSON data.
import type { Registry } from 'prom-client';
import type { EngineName, MemeResult, MemeSpec } from '../pipeline/meme-spec.ts';
import type { JobEvent, JobHandle, JobPriority, QueueStats } from '../queue/queue-types.ts';

/** Enough to reach a requester again from another process or after a restart (no sockets, no closures). */
export interface ReplyRoute {
  /** The front end that answers (a Platform of bots/service-types.ts). */
  platform: string;
  /** Platform-specific, JSON-safe: e.g. a chat id and a status message id. */
  data?: Record<string, unknown>;
  /**
   * Set on the HD job of a previewed request (bots/upgrade/): the request's id. Its result replaces the preview
   * that `data` names (UpgradingReplier.upgrade) instead of arriving as a new message.
   */
  upgradeOf?: string;
  /**
   * Set on the preview job of a previewed request: the request's id. Its HD job (whose `upgradeOf` is the same id)
   * was queued before it, so a restarted bot finds both stages and pairs them again.
   */
  previewOf?: string;
  /** Set on the HD job's route once its preview is in the chat (`data` names it): a restart does not show it again. */
  previewShown?: boolean;
}

export interface MemeJob {
  userId: string;
  /** The requester's language tag, kept with a remote job so what is said after a restart is in their language. */
  language?: string;
  engine: EngineName;
  priority: JobPriority;
  /** The spec without driverPath: a user clip travels as `driver` bytes and is staged where the job runs. */
  spec: MemeSpec;
  driver?: { bytes: Buffer; ext: string };
  route: ReplyRoute;
  /** Admitted with another job of the same request (a preview beside its HD job): no admission of its own. */
  companion?: boolean;
  onEvent(event: JobEvent): void;
}

/** A job found pending when a bot process starts (remote backends only). */
export interface ResumedJob {
  jobId: string;
  userId: string;
  route: ReplyRoute;
  /** The language the job was submitted with (MemeJob.language). */
  language?: string;
  done: Promise<MemeResult>;
  /** Events from here on go to this listener. */
  listen(onEvent: (event: JobEvent) => void): void;
}

export interface MemeJobBackend {
  readonly kind: 'local' | 'redis';
  /** Engines jobs can be sent to now. */
  readonly engines: EngineName[];
  /** What `engine: auto` means here: the renderer's decision (pipeline/engines/auto-engine.ts), among `engines`. */
  readonly autoEngine: EngineName;
  /** Styles the hellomeme engine can render, when the backend knows (in-process); undefined: the worker decides. */
  readonly styles?: readonly string[];
  /** Admits or throws (SHUTTING_DOWN, QUEUE_FULL, BUSY, RATE_LIMITED, BACKEND_UNAVAILABLE). Local: synchronous. */
  submit(job: MemeJob): JobHandle<MemeResult> | Promise<JobHandle<MemeResult>>;
  cancel(jobId: string): boolean;
  cancelForUser(userId: string): boolean;
  stats(): QueueStats;
  /** Told after the requester got the result or failure, so a restart does not deliver it twice. */
  acknowledge?(jobId: string): Promise<void>;
  /**
   * The job's result goes elsewhere now (the HD job of a previewed request, once its preview is in the chat): a
   * restart reads this route. Remote backends only; a job already acknowledged is left alone.
   */
  reroute?(jobId: string, route: ReplyRoute): Promise<void>;
  /** Jobs this process submitted before a restart and has not acknowledged. */
  resume?(): Promise<ResumedJob[]>;
  /** Adds the backend's own gauges (remote: depth and workers read from Redis) to the service's registry. */
  registerMetrics?(registry: Registry): void;
  shutdown(graceMs: number): Promise<void>;
}

export const LANE_OF: Record<EngineName, string> = { warp: 'cpu', hellomeme: 'gpu' };
