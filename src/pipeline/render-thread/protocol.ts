// The messages between a bot process's main thread and its render threads (threaded-renderer.ts ⇄
// thread-body.ts). Plain, structured-clone-safe shapes: a MemeSpec or a file to check goes in, progress, log
// lines and a MemeResult or the file's facts come out, errors travel as their code, message and details (and
// become MemeErrors again on the other side).
import type { InputLimits } from '../../config.ts';
import { type ErrorCode, MemeError, toMemeError } from '../../errors.ts';
import type { DeviceChoice } from '../engines/auto-engine.ts';
import type { ClipFacts, PhotoFacts } from '../input-inspector.ts';
import type { EngineName, MemeResult, MemeSpec } from '../meme-spec.ts';
import type { Progress } from '../types.ts';

/** What a render thread needs to build its Renderer (no objects: each thread loads its own models). */
export interface RenderThreadOptions {
  /** Where analysed template motion is kept (default ~/.cache/memeloom). */
  cacheDir?: string;
  modelsDir?: string;
  modelsPreset?: string;
  photoCacheEntries?: number;
  upscale?: boolean;
  limits?: InputLimits;
  device?: DeviceChoice;
  /** Intra-op threads of each ONNX session this thread opens (RendererOptions.graphThreads). */
  graphThreads?: number;
  /** false: this thread offers warp only (HelloMeme is loaded by one thread, not by each). */
  hellomeme: boolean;
}

interface PlainError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export type ThreadTask = { kind: 'render'; spec: MemeSpec } | { kind: 'photo'; bytes: Uint8Array } | { kind: 'clip'; path: string };

export type ToThread = { type: 'run'; id: number; task: ThreadTask } | { type: 'cancel'; id: number; reason: PlainError } | { type: 'dispose' };

export type FromThread =
  | { type: 'ready'; engines: EngineName[]; styles?: readonly string[]; autoChoice?: { engine: EngineName; reason: string } }
  | { type: 'failed'; error: PlainError }
  | { type: 'log'; line: string }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'done'; id: number; value: MemeResult | PhotoFacts | ClipFacts }
  | { type: 'error'; id: number; error: PlainError }
  | { type: 'disposed' };

/** Anything thrown, as a message can carry it; details that cannot be cloned are dropped, never the code. */
export function toPlainError(error: unknown): PlainError {
  const { code, message, details } = toMemeError(error);
  try {
    return { code, message, details: structuredClone(details) };
  } catch {
    return { code, message, details: {} };
  }
}

export function fromPlainError(error: PlainError): MemeError {
  return new MemeError(error.code, error.message, error.details);
}
