// The worker thread's side of ffmpeg-off-thread.ts: runs runFfmpeg for the main thread, with stdin fed from
// the chunks it posts. This thread does nothing else, so its event loop refills ffmpeg's input pipe at once.
import { PassThrough } from 'node:stream';
import { type MessagePort, parentPort } from 'node:worker_threads';
import { MemeError, toMemeError } from '../../errors.ts';
import { runFfmpeg } from './ffmpeg.ts';
import type { WorkerReply, WorkerRequest } from './ffmpeg-off-thread.ts';

function workerPort(): MessagePort {
  if (!parentPort) throw new Error('ffmpeg-worker-body.ts runs only in a worker thread');
  return parentPort;
}
const port = workerPort();

const runs = new Map<number, { input: PassThrough; abort: AbortController }>();

function start(request: Extract<WorkerRequest, { type: 'start' }>): void {
  const input = new PassThrough();
  const abort = new AbortController();
  runs.set(request.id, { input, abort });
  runFfmpeg(request.args, { ...request.options, stdin: input, signal: abort.signal }).then(
    (result) => {
      // A copy with its own buffer, so it can be transferred (small Buffers share a pool).
      const stdout = new Uint8Array(result.stdout);
      const reply: WorkerReply = { id: request.id, ok: true, stdout, stderr: result.stderr, exitCode: result.exitCode };
      port.postMessage(reply, [stdout.buffer]);
    },
    (error: unknown) => {
      const { code, message, details } = toMemeError(error);
      try {
        port.postMessage({ id: request.id, ok: false, error: { code, message, details } } satisfies WorkerReply);
      } catch {
        // Details that cannot be cloned must not leave the caller waiting: the code and message suffice.
        port.postMessage({ id: request.id, ok: false, error: { code, message, details: {} } } satisfies WorkerReply);
      }
    },
  ).finally(() => runs.delete(request.id));
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'start') return start(request);
  const run = runs.get(request.id);
  if (!run) return;
  if (request.type === 'data') run.input.write(request.chunk);
  else if (request.type === 'end') run.input.end();
  else run.abort.abort(new MemeError('CANCELLED', 'ffmpeg run cancelled'));
});
