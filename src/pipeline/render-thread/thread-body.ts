// A render thread's side of threaded-renderer.ts: builds one Renderer (face models, engines, motion cache,
// photo cache) in this thread and runs what the main thread posts — renders, and the checks on an arriving photo
// or clip — reporting progress, log lines and results back. Everything CPU-heavy (face and motion analysis, warp,
// captions, encoding's frame work) happens here, so the bot's own event loop stays free for updates,
// heartbeats and /healthz.
import { setPriority } from 'node:os';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { MemeResult, Renderer } from '../meme-spec.ts';
import { createRenderer } from '../render.ts';
import { type FromThread, fromPlainError, type RenderThreadOptions, type ThreadTask, type ToThread, toPlainError } from './protocol.ts';

function threadPort(): MessagePort {
  if (!parentPort) throw new Error('thread-body.ts runs only in a worker thread');
  return parentPort;
}
const port = threadPort();
const RENDER_NICE = 10;
const options = workerData as RenderThreadOptions;
const running = new Map<number, AbortController>();

const post = (message: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Structured clone turned Buffers into Uint8Arrays; the pipeline wants Buffers again. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The result with its bytes in a buffer of their own, so they move to the main thread instead of being copied. */
function transferable(result: MemeResult): { result: MemeResult; transfer: ArrayBuffer[] } {
  const bytes = new Uint8Array(result.bytes);
  return { result: { ...result, bytes: Buffer.from(bytes.buffer) }, transfer: [bytes.buffer] };
}

async function run(renderer: Renderer, id: number, task: ThreadTask): Promise<void> {
  const abort = new AbortController();
  running.set(id, abort);
  try {
    if (task.kind === 'render') {
      const spec = { ...task.spec, photo: asBuffer(task.spec.photo) };
      const result = await renderer.render(spec, { signal: abort.signal, onProgress: (progress) => post({ type: 'progress', id, progress }) });
      const moved = transferable(result);
      post({ type: 'done', id, value: moved.result }, moved.transfer);
    } else if (task.kind === 'photo') {
      post({ type: 'done', id, value: await renderer.inspector!.photo(asBuffer(task.bytes)) });
    } else {
      post({ type: 'done', id, value: await renderer.inspector!.clip(task.path, abort.signal) });
    }
  } catch (error) {
    post({ type: 'error', id, error: toPlainError(abort.signal.aborted ? abort.signal.reason : error) });
  } finally {
    running.delete(id);
  }
}

async function main(): Promise<void> {
  // Rendering is batch work: below the bot's own thread, which must answer chats within 100 ms (Linux nice
  // values are per thread; ffmpeg started from here inherits it). Best effort: some systems refuse.
  try {
    setPriority(RENDER_NICE);
  } catch {
    // Runs at normal priority.
  }
  let renderer: Renderer;
  try {
    const { hellomeme, ...rest } = options;
    renderer = await createRenderer({ ...rest, log: (line) => post({ type: 'log', line }), ...(hellomeme ? {} : { hellomeme: null }) });
  } catch (error) {
    post({ type: 'failed', error: toPlainError(error) });
    return;
  }
  port.on('message', (message: ToThread) => {
    if (message.type === 'run') void run(renderer, message.id, message.task);
    else if (message.type === 'cancel') running.get(message.id)?.abort(fromPlainError(message.reason));
    else void renderer.dispose().finally(() => post({ type: 'disposed' }));
  });
  post({ type: 'ready', engines: renderer.engines, styles: renderer.styles, autoChoice: renderer.autoChoice });
}

await main();
