// runFfmpeg from a worker thread, for runs whose stdin is a stream this thread writes while it works on
// something else. A child's stdin pipe holds a few hundred KB and is refilled only when this thread's event
// loop turns; while the engine rendered here, ffmpeg starved on its input and the GIF was encoded after the
// last frame instead of beside the render (nice template: 0.6 s of a 1.6 s render). The worker's event loop
// has nothing else to do, so the pipe stays full. Same options and result as runFfmpeg.
import type { Readable } from 'node:stream';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { type ErrorCode, MemeError } from '../../errors.ts';
import { abortError, type FfmpegResult, type FfmpegRunOptions, runFfmpeg } from './ffmpeg.ts';

/** What the worker may be given: runFfmpeg's options minus stdin and the signal, which cannot cross threads. */
type PlainOptions = Omit<FfmpegRunOptions, 'stdin' | 'signal'>;

export type WorkerRequest =
  | { type: 'start'; id: number; args: string[]; options: PlainOptions }
  | { type: 'data'; id: number; chunk: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'abort'; id: number };

export type WorkerReply =
  | { id: number; ok: true; stdout: Uint8Array; stderr: string; exitCode: number | null }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

interface Waiting {
  readonly thread: Worker;
  settle(reply: WorkerReply): void;
  fail(error: MemeError): void;
}

/** One worker per process, started on first use; it does not keep the process alive. */
let worker: Worker | undefined;
const waiting = new Map<number, Waiting>();
let nextId = 1;

function sharedWorker(): Worker {
  if (worker) return worker;
  // SHARE_ENV: FFMPEG_PATH set after the worker started still counts, as it does for runFfmpeg here.
  const started = new Worker(new URL('./ffmpeg-worker.mjs', import.meta.url), { env: SHARE_ENV });
  started.on('message', (reply: WorkerReply) => waiting.get(reply.id)?.settle(reply));
  const lost = (why: string) => {
    if (worker === started) worker = undefined;
    for (const run of [...waiting.values()]) if (run.thread === started) run.fail(new MemeError('INTERNAL', `the ffmpeg worker thread ${why}`));
  };
  started.on('error', (error) => lost(`failed: ${error.message}`));
  started.on('exit', (code) => lost(`exited with ${code}`));
  // After the listeners (adding a 'message' listener refs the worker's port again); see `track`.
  started.unref();
  worker = started;
  return started;
}

/** Starts the worker thread now (it loads while models do), so the first encode does not wait for it. */
export function warmFfmpegWorker(): void {
  try {
    sharedWorker();
  } catch {
    // Best effort: the first encode tries again, or runs in this thread.
  }
}

/** Keeps the process alive exactly while a run is in flight: an idle worker must not hold up exit. */
function track(thread: Worker, id: number, run: Waiting | undefined): void {
  if (run) waiting.set(id, run);
  else waiting.delete(id);
  if (waiting.size > 0) thread.ref();
  else thread.unref();
}

/** Runs ffmpeg in the shared worker thread, feeding it `options.stdin` chunk by chunk. */
export function runFfmpegOffThread(args: string[], options: FfmpegRunOptions & { stdin: Readable }): Promise<FfmpegResult> {
  const { stdin, signal, ...plain } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  let thread: Worker;
  try {
    thread = sharedWorker();
  } catch {
    // No thread to be had (a resource limit): encode here, slower but delivered.
    return runFfmpeg(args, options);
  }
  const id = nextId++;
  const post = (request: WorkerRequest, transfer: ArrayBuffer[] = []) => thread.postMessage(request, transfer);
  return new Promise<FfmpegResult>((resolve, reject) => {
    const onAbort = () => post({ type: 'abort', id });
    const done = () => {
      track(thread, id, undefined);
      signal?.removeEventListener('abort', onAbort);
    };
    track(thread, id, {
      thread,
      settle(reply) {
        done();
        if (reply.ok) resolve({ stdout: Buffer.from(reply.stdout.buffer, reply.stdout.byteOffset, reply.stdout.byteLength), stderr: reply.stderr, exitCode: reply.exitCode });
        else reject(signal?.aborted ? abortError(signal) : new MemeError(reply.error.code, reply.error.message, reply.error.details));
      },
      fail(error) {
        done();
        reject(error);
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    post({ type: 'start', id, args, options: plain });
    stdin.on('data', (chunk: Uint8Array) => {
      // A copy the worker can own: the caller may keep its frames (the budget ladder re-encodes them).
      const copy = new Uint8Array(chunk);
      post({ type: 'data', id, chunk: copy }, [copy.buffer]);
    });
    // An input destroyed without ending (a cancelled encode) still lets ffmpeg finish and the run settle.
    stdin.on('close', () => post({ type: 'end', id }));
  });
}

