// The HelloMeme v5 engine (spec §4–§6): reference crop → prompt, reference latent and maps → per-frame control maps
// → hierarchical windowed sampling with CFG → VAE decode → Real-ESRGAN ×2 (default on, as HelloMeme's sr=True) →
// optional feathered paste-back into the photo. It asks render.ts for the driver at 8 fps as HelloMeme's fps8 picks
// frames, and for the face toolkit's analysis of the driver and the full-resolution photo.
// Sessions open on first use and stay open across jobs; the stages' tensor work lives in engine-stages.ts.
import { InputError, throwIfAborted } from '../../../errors.ts';
import { stylePreset } from '../../../models/model-files.ts';
import { DEFAULT_SEED } from '../../meme-spec.ts';
import type { CropRect } from '../../face-toolkit/crop-512.ts';
import type { FrameSequence, RgbImage } from '../../types.ts';
import type { Engine, EngineDriver, EngineNeeds, EngineOptions, EngineReference, EngineRun } from '../engine.ts';
import { checkControls } from './control-signals.ts';
import { driverControls } from './driver-controls.ts';
import { controlMaps, decodeFrames, encodePrompts, loopModels, referenceMaps, sampleReferenceLatent } from './engine-stages.ts';
import type { HelloMemeModelPaths } from './model-paths.ts';
import { createPasteBack } from './paste-back.ts';
import { videoPrompt } from './prompt.ts';
import { rectInOutput, referenceCrop } from './reference-crop.ts';
import type { SchedulerKind } from './schedulers/scheduler.ts';
import { type HelloMemeSessions, openHelloMemeSessions, type SessionSetOptions } from './session-set.ts';
import type { StyleWeights } from './style-weights.ts';
import { planTemporalLevels, unetFrameEvaluations } from './temporal-windows.ts';
import { openUpscalerSession, type UpscalerSession } from './upscaler-session.ts';
import { denoiserCalls, runV5SamplingLoop, seededLoopNoise } from './v5-sampling-loop.ts';
import { rgbToSigned } from './video-tensors.ts';
import type { ExecutionProvider } from '../../../graph/runtime.ts';

/** SD1.5 at 512²; the tiny models use 16. */
export const SD15_LATENT_SIZE = 64;
/** A job's frame cap: host memory for control maps grows ≈ 20 MB (fp16) / 40 MB (fp32) per frame at 512² (test/helpers/hellomeme-memory-plan.ts). */
const DEFAULT_MAX_FRAMES = 160;
/** What HelloMeme's video path asks of a driver: fps8 (ffmpeg -r 8) and its own face toolkit. */
export const HELLOMEME_NEEDS: EngineNeeds = Object.freeze({ fps: 8, rateConversion: 'output-rate', toolkit: true });

export interface HelloMemeEngineOptions {
  readonly paths: HelloMemeModelPaths;
  readonly sessions?: SessionSetOptions;
  /** Latent side, a multiple of 8; the face crop is 8× this (64 → 512²). */
  readonly latentSize?: number;
  readonly steps?: number;
  readonly guidanceScale?: number;
  readonly scheduler?: SchedulerKind;
  /** trans_ratio when a job names none: 0, the app's default, keeps the head where the photo's face is (inference_video.py uses 0.5). */
  readonly transRatio?: number;
  /** Put the generated crop back into the photo with a feathered edge (default); false returns the square crop. */
  readonly pasteBack?: boolean;
  /**
   * Real-ESRGAN ×2 on every decoded crop before paste-back, as HelloMeme's generator does by default (512² → 1024²).
   * Default: on when the paths name upscaler weights; true without them is a FILE_NOT_FOUND error.
   */
  readonly upscale?: boolean;
  readonly maxFrames?: number;
}

/** What the last job did, for the bench and tests. */
interface HelloMemeRunStats {
  /** The LoRA style merged into this job's denoiser, or null. */
  style: string | null;
  frameCount: number;
  unetCalls: number;
  unetFrameEvaluations: number;
  /** Where this job's controls came from (face-toolkit, or motion-track with the reason), with notes. */
  controlSource: string;
  /** The text the denoiser was conditioned on. */
  prompt: string;
  /** Where the face was cut: the box in the full-resolution photo, its size, and whether the toolkit placed it. */
  reference: { rect: CropRect; sourceWidth: number; sourceHeight: number; fromToolkit: boolean };
  /** Whether Real-ESRGAN upscaled the crops. */
  upscaled: boolean;
  stageMs: Record<string, number>;
}

export interface HelloMemeEngine extends Engine {
  /** Opens (compiling into the graph cache if needed) every session of a style (default none) now instead of on the first job. */
  warmUp(style?: string): Promise<HelloMemeSessions>;
  readonly lastRun: HelloMemeRunStats | null;
}

function checkTransRatio(ratio: number): void {
  if (!(ratio >= 0 && ratio <= 1)) throw new InputError('BAD_OPTION', `trans_ratio must be between 0 and 1, got ${ratio}`);
}

function checkLatentSize(latentSize: number): void {
  if (!Number.isInteger(latentSize) || latentSize < 8 || latentSize % 8 !== 0) throw new InputError('BAD_OPTION', `latentSize must be a multiple of 8, got ${latentSize}`);
}

export function createHelloMemeEngine(options: HelloMemeEngineOptions): HelloMemeEngine {
  const latentSize = options.latentSize ?? SD15_LATENT_SIZE;
  checkLatentSize(latentSize);
  const imageSize = latentSize * 8;
  const steps = options.steps ?? 25;
  const guidanceScale = options.guidanceScale ?? 1.5;
  checkTransRatio(options.transRatio ?? 0);
  const upscalerPath = options.paths.upscaler;
  if (options.upscale && !upscalerPath) throw new InputError('FILE_NOT_FOUND', 'upscaling needs the Real-ESRGAN weights (songkey/ESRGAN RealESRGAN_x2plus.pth: memeloom models pull), or turn it off');
  const upscale = options.upscale ?? upscalerPath !== undefined;
  let upscaler: Promise<UpscalerSession> | null = null;
  // One session set at a time, for one style (or none): a job in another style closes it and opens that style's.
  let sessions: { style: string | null; set: Promise<HelloMemeSessions> } | null = null;
  let lastRun: HelloMemeRunStats | null = null;
  const open = async (style: StyleWeights | null = null): Promise<HelloMemeSessions> => {
    if (sessions && sessions.style !== (style?.id ?? null)) {
      const previous = sessions.set;
      sessions = null;
      await (await previous.catch(() => null))?.dispose();
    }
    if (!sessions) {
      const entry = { style: style?.id ?? null, set: openHelloMemeSessions(options.paths, { ...options.sessions, style: style ?? undefined }) };
      entry.set.catch(() => {
        if (sessions === entry) sessions = null;
      });
      sessions = entry;
    }
    return sessions.set;
  };
  const styleWeights = (name: string): StyleWeights => {
    const { id } = stylePreset(name);
    const loraPath = options.paths.styles?.[id];
    if (!loraPath) throw new InputError('BAD_OPTION', `the '${id}' style is not installed here (memeloom models pull --style ${id})`, { detail: `the '${id}' style is not installed on this bot` });
    return { id, loraPath };
  };
  const openUpscaler = (provider: ExecutionProvider) => {
    const { cacheDir, threads } = options.sessions ?? {};
    upscaler ??= openUpscalerSession(upscalerPath as string, { cacheDir, threads, provider }).catch((error) => {
      upscaler = null;
      throw error;
    });
    return upscaler;
  };

  async function render(reference: EngineReference, driver: EngineDriver, engineOptions: EngineOptions, run: EngineRun = {}): Promise<FrameSequence> {
    const { signal } = run;
    const report = (fraction: number) => run.onProgress?.({ stage: 'engine', fraction, overall: 0 });
    const stageMs: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      stageMs[name] = performance.now() - t;
      t = performance.now();
    };
    throwIfAborted(signal);
    const { frameCount } = driver;
    if (frameCount > (options.maxFrames ?? DEFAULT_MAX_FRAMES)) throw new InputError('VIDEO_TOO_LONG', `HelloMeme renders at most ${options.maxFrames ?? DEFAULT_MAX_FRAMES} frames, this clip has ${frameCount}`);
    const transRatio = engineOptions.transRatio ?? options.transRatio ?? 0;
    checkTransRatio(transRatio);
    const seed = engineOptions.seed ?? DEFAULT_SEED;
    const s = await open(engineOptions.style ? styleWeights(engineOptions.style) : null);
    lap('sessions');
    report(0);
    const ref = referenceCrop(reference, imageSize);
    const prompt = videoPrompt(engineOptions.prompt);
    // The reference's prompt comes from the base text encoder, the denoiser's (and the pads') from the styled one.
    const refText = await encodePrompts(s, prompt);
    const text = s.style ? await encodePrompts(s, prompt, 'clip-text-style') : refText;
    const latent = await sampleReferenceLatent(s, rgbToSigned(ref.image), imageSize, seed);
    const refMaps = await referenceMaps(s, latent.data as Float32Array, latent.dims, refText);
    const levels = planTemporalLevels(frameCount);
    // The reference UNet stays for the keyframe pads when the clip has a deeper level.
    await s.release('clip-text', ...(s.style ? (['clip-text-style'] as const) : []), 'vae-encoder', ...(levels.length > 1 ? [] : (['hm5-reference'] as const)));
    lap('reference');
    report(0.03);
    throwIfAborted(signal);
    const controls = await driverControls(s, driver, { refTrans: ref.trans, transRatio }, imageSize, signal);
    await s.release('pd-fgc');
    checkControls(controls, frameCount, imageSize);
    lap('control-signals');
    const control = await controlMaps(s, controls, signal, (done) => report(0.03 + (0.07 * done) / frameCount));
    await s.release('hm5-control');
    lap('control');
    const noise = seededLoopNoise(seed, frameCount, latentSize, latentSize);
    const models = loopModels(s, { text, reference: refMaps, control, latentSize });
    const latents = await runV5SamplingLoop(models, { frameCount, latentHeight: latentSize, latentWidth: latentSize, ...noise, steps, guidanceScale, scheduler: options.scheduler, signal, onProgress: (f) => report(0.1 + 0.85 * f) });
    await s.release('hm5-denoise', 'hm5-denoise-pad', 'hm5-reference');
    lap('denoise');
    const decodeShare = upscale ? 0.01 : 0.05;
    const crops = await decodeFrames(s, latents, frameCount, latentSize, signal, (done) => report(0.95 + (decodeShare * done) / frameCount));
    await s.release('vae-decoder');
    lap('decode');
    if (upscale) {
      const up = await openUpscaler(s.provider);
      for (const [i, crop] of crops.entries()) {
        throwIfAborted(signal);
        crops[i] = await up.upscale(crop, signal);
        report(0.96 + (0.04 * (i + 1)) / frameCount);
      }
      lap('upscale');
    }
    const frames = finishFrames(reference.image, rectInOutput(ref.rect, reference), crops, options.pasteBack ?? true);
    lap('paste-back');
    lastRun = { style: s.style, frameCount, unetCalls: denoiserCalls(levels, steps), unetFrameEvaluations: unetFrameEvaluations(frameCount, steps, guidanceScale > 1), controlSource: controls.source, prompt, reference: { rect: ref.rect, sourceWidth: reference.source.width, sourceHeight: reference.source.height, fromToolkit: ref.trans !== null }, upscaled: upscale, stageMs };
    report(1);
    return { ...frames, fps: driver.fps };
  }

  // One job at a time per engine: the device runs one UNet call at a time anyway, and in 'stage' residency a
  // concurrent job would close sessions the other is using.
  let turn: Promise<unknown> = Promise.resolve();
  const serialised = (...args: Parameters<typeof render>): Promise<FrameSequence> => {
    const job = turn.then(() => render(...args));
    turn = job.catch(() => {});
    return job;
  };

  return {
    name: 'hellomeme',
    needs: HELLOMEME_NEEDS,
    // One 512² crop around one face per render: a group photo gets the chosen (or largest) face only.
    multiFace: false,
    render: serialised,
    styles: Object.keys(options.paths.styles ?? {}),
    warmUp: (style?: string) => open(style ? styleWeights(style) : null),
    get lastRun() {
      return lastRun;
    },
    /** Closes the sessions and the upscaler. */
    async dispose() {
      const opened = sessions?.set;
      const openedUpscaler = upscaler;
      sessions = null;
      upscaler = null;
      if (opened) await (await opened.catch(() => null))?.dispose();
      if (openedUpscaler) await (await openedUpscaler.catch(() => null))?.dispose();
    },
  };
}

function finishFrames(photo: RgbImage, rect: CropRect, crops: RgbImage[], pasteBack: boolean): Omit<FrameSequence, 'fps'> {
  if (!pasteBack) return { width: crops[0].width, height: crops[0].height, frames: crops.map((c) => c.data) };
  const paste = createPasteBack(photo, rect);
  return { width: photo.width, height: photo.height, frames: crops.map(paste) };
}
