// The Renderer of the bot process: the same interface as pipeline/render.ts, but each job — and each check of an
// arriving photo or clip (its `inspector`) — runs in a render thread (worker_threads) that loaded its own models,
// so no CPU-heavy step (face and motion analysis, warp, captions, encoding's frame work) ever holds the bot's
// event loop. Progress and log lines come back as messages, a result's bytes are moved (not copied), and cancel
// is a message the thread turns into its job's abort. Work goes to the thread with the fewest jobs, among equals
// the one that last had the same photo (its photo cache then skips decode and face analysis: the check on arrival
// and "Another take" both prime it); only the first thread loads HelloMeme (its weights are large) and takes its
// jobs. A thread that dies fails its jobs with INTERNAL and is started again on demand.
import { createHash } from 'node:crypto';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { MemeError, toMemeError } from '../../errors.ts';
import type { ClipFacts, InputInspector, PhotoFacts } from '../input-inspector.ts';
import type { EngineName, MemeResult, MemeSpec, Renderer } from '../meme-spec.ts';
import type { RunOptions } from '../types.ts';
import { type FromThread, fromPlainError, type RenderThreadOptions, type ThreadTask, type ToThread, toPlainError } from './protocol.ts';

interface ThreadedRendererOptions extends Omit<RenderThreadOptions, 'hellomeme'> {
  /** Render threads (default 1): warp jobs run side by side on as many cores. */
  threads?: number;
  /** false keeps HelloMeme off; by default the first thread loads it when its models are present. */
  hellomeme?: boolean;
  /** Hears the threads' log lines (the `auto` engine decision). */
  log?: (line: string) => void;
}

interface ThreadInfo {
  engines: EngineName[];
  styles?: readonly string[];
  autoChoice?: { engine: EngineName; reason: string };
}

interface Waiting {
  run: RunOptions;
  resolve(value: unknown): void;
  reject(error: MemeError): void;
}

const DISPOSE_WAIT_MS = 5000;
/** Photos whose thread is remembered, for the affinity above. */
const REMEMBERED_PHOTOS = 64;

class RenderThread {
  readonly #options: RenderThreadOptions;
  readonly #log: (line: string) => void;
  readonly #waiting = new Map<number, Waiting>();
  #worker: Worker | undefined;
  #ready: Promise<ThreadInfo> | undefined;
  #loading = false;
  #nextId = 1;
  /** Work given to this thread and not yet settled, counted from the call (before the thread has even started). */
  #assigned = 0;

  constructor(options: RenderThreadOptions, log: (line: string) => void) {
    this.#options = options;
    this.#log = log;
  }

  get inFlight(): number {
    return this.#assigned;
  }

  /** Starts the thread (if it is not running) and resolves once its models are loaded. */
  start(): Promise<ThreadInfo> {
    if (this.#ready) return this.#ready;
    const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), { workerData: this.#options, env: SHARE_ENV });
    this.#worker = worker;
    this.#ready = new Promise<ThreadInfo>((resolve, reject) => {
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') resolve({ engines: message.engines, styles: message.styles, autoChoice: message.autoChoice });
        else if (message.type === 'failed') reject(fromPlainError(message.error));
        else if (message.type === 'log') this.#log(message.line);
        else if (message.type !== 'disposed') this.#route(message);
      });
      const lost = (why: string) => {
        const error = new MemeError('INTERNAL', `the render thread ${why}`);
        reject(error);
        if (this.#worker !== worker) return;
        this.#worker = undefined;
        this.#ready = undefined;
        for (const waiting of this.#waiting.values()) waiting.reject(error);
        this.#waiting.clear();
      };
      worker.on('error', (error) => lost(`failed: ${error.message}`));
      worker.on('exit', (code) => lost(`exited with ${code}`));
    });
    this.#loading = true;
    this.#track();
    void this.#ready
      .catch(() => undefined)
      .finally(() => {
        this.#loading = false;
        this.#track();
      });
    return this.#ready;
  }

  /** Runs a task in the thread (starting it if needed); the signal's abort reaches the task as a message. */
  async run<T>(task: ThreadTask, run: RunOptions = {}): Promise<T> {
    this.#assigned++;
    try {
      if (run.signal?.aborted) throw toMemeError(run.signal.reason);
      await this.start();
      return (await this.#post(task, run)) as T;
    } finally {
      this.#assigned--;
    }
  }

  /** Lets the thread free its models, then ends it (terminated if it does not answer in time). */
  async dispose(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    await this.#ready?.catch(() => undefined);
    const disposed = new Promise<void>((resolve) => {
      worker.on('message', (message: FromThread) => message.type === 'disposed' && resolve());
      worker.once('exit', () => resolve());
    });
    this.#send(worker, { type: 'dispose' });
    await Promise.race([disposed, new Promise((resolve) => setTimeout(resolve, DISPOSE_WAIT_MS).unref())]);
    this.#worker = undefined;
    this.#ready = undefined;
    await worker.terminate();
  }

  async #post(task: ThreadTask, run: RunOptions): Promise<unknown> {
    const worker = this.#worker!;
    const id = this.#nextId++;
    const onAbort = () => this.#send(worker, { type: 'cancel', id, reason: toPlainError(run.signal?.reason) });
    try {
      return await new Promise<unknown>((resolve, reject) => {
        this.#waiting.set(id, { run, resolve, reject });
        this.#track();
        run.signal?.addEventListener('abort', onAbort, { once: true });
        this.#send(worker, { type: 'run', id, task });
      });
    } finally {
      run.signal?.removeEventListener('abort', onAbort);
      this.#waiting.delete(id);
      this.#track();
    }
  }

  #route(message: Extract<FromThread, { id: number }>): void {
    const waiting = this.#waiting.get(message.id);
    if (!waiting) return;
    if (message.type === 'progress') waiting.run.onProgress?.(message.progress);
    else if (message.type === 'error') waiting.reject(fromPlainError(message.error));
    else if ('bytes' in message.value) {
      const { bytes } = message.value;
      waiting.resolve({ ...message.value, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    } else waiting.resolve(message.value);
  }

  #send(worker: Worker, message: ToThread): void {
    // A photo Buffer may be a slice of Node's shared pool: it is copied (not moved), so the caller keeps it.
    worker.postMessage(message);
  }

  /** Holds the process open exactly while models load or work is in flight, like any pending work; idle threads do not. */
  #track(): void {
    if (this.#loading || this.#waiting.size > 0) this.#worker?.ref();
    else this.#worker?.unref();
  }
}

/** Which thread takes a job or a check: the least busy, among equals the one that last had this photo. */
class ThreadChooser {
  readonly #threadOfPhoto = new Map<string, RenderThread>();

  constructor(readonly threads: RenderThread[]) {}

  leastBusy(): RenderThread {
    return this.threads.reduce((best, t) => (t.inFlight < best.inFlight ? t : best));
  }

  forPhoto(photo: Uint8Array): RenderThread {
    if (this.threads.length === 1) return this.threads[0]!;
    const fewest = Math.min(...this.threads.map((t) => t.inFlight));
    const key = createHash('sha1').update(photo).digest('hex');
    const previous = this.#threadOfPhoto.get(key);
    const chosen = previous && previous.inFlight === fewest ? previous : this.threads.find((t) => t.inFlight === fewest)!;
    this.#threadOfPhoto.delete(key);
    this.#threadOfPhoto.set(key, chosen);
    if (this.#threadOfPhoto.size > REMEMBERED_PHOTOS) this.#threadOfPhoto.delete(this.#threadOfPhoto.keys().next().value!);
    return chosen;
  }
}

function inspectorOver(chooser: ThreadChooser): InputInspector {
  return {
    photo: (bytes) => chooser.forPhoto(bytes).run<PhotoFacts>({ kind: 'photo', bytes }),
    clip: (path, signal) => chooser.leastBusy().run<ClipFacts>({ kind: 'clip', path }, { signal }),
  };
}

/** Starts the render threads and waits until each has loaded its models. */
export async function createThreadedRenderer(options: ThreadedRendererOptions = {}): Promise<Renderer> {
  const { threads: count = 1, hellomeme = true, log = () => undefined, ...shared } = options;
  if (!(count >= 1)) throw new TypeError(`a threaded renderer needs at least one thread, got ${count}`);
  const threads = Array.from({ length: count }, (_, i) => new RenderThread({ ...shared, hellomeme: hellomeme && i === 0 }, log));
  let infos: ThreadInfo[];
  try {
    infos = await Promise.all(threads.map((t) => t.start()));
  } catch (error) {
    await Promise.all(threads.map((t) => t.dispose()));
    throw error;
  }
  const first = infos[0]!;
  const chooser = new ThreadChooser(threads);
  const pick = (spec: MemeSpec): RenderThread => {
    const engine = !spec.engine || spec.engine === 'auto' ? (first.autoChoice?.engine ?? 'warp') : spec.engine;
    // A styled meme is HelloMeme's (render.ts picks it for `auto`), and only the first thread loads HelloMeme.
    return engine === 'warp' && !spec.style ? chooser.forPhoto(spec.photo) : threads[0]!;
  };
  return {
    engines: [...new Set(infos.flatMap((i) => i.engines))],
    // HelloMeme and its styles live in the first thread only.
    styles: first.styles ?? [],
    autoChoice: first.autoChoice,
    inspector: inspectorOver(chooser),
    render: (spec, run = {}) => pick(spec).run<MemeResult>({ kind: 'render', spec }, run),
    async dispose() {
      await Promise.all(threads.map((t) => t.dispose()));
    },
  };
}

/**
 * The checks on arriving photos and clips for a process that renders nothing (a QUEUE_BACKEND=redis bot): one
 * thread of their own, started with the first photo, so a bot that is never sent one never loads the face model.
 */
export function createThreadedInspector(options: Pick<ThreadedRendererOptions, 'limits' | 'log'> = {}): InputInspector {
  const thread = new RenderThread({ limits: options.limits, hellomeme: false }, options.log ?? (() => undefined));
  return inspectorOver(new ThreadChooser([thread]));
}
