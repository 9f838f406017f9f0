// runMeme's numbered steps (ARCHITECTURE.md): decode → face → motion → engine, with captions drawn on each frame
// and the encoder fed as frames leave the engine. Owns the order of stages and their limits, not their logic: the
// engine says what it needs of the driver and the photo, and engine-inputs.ts provides it.
import path from 'node:path';
import { memeloomCacheDir } from '../cache-dir.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits, processSettings } from '../config.ts';
import { InputError, MemeError, throwIfAborted } from '../errors.ts';
import { defaultModelsDir } from '../models/models-dir.ts';
import { loadTemplateCatalog } from '../templates/catalog.ts';
import type { TemplateCatalog } from '../templates/template-types.ts';
import { analyseDriver, analysePhotoWithToolkit } from './engine-inputs.ts';
import type { Engine, EngineNeeds, EngineReference } from './engines/engine.ts';
import { type AutoEngineChoice, chooseAutoEngine, chooseDevice, type DeviceChoice, type Probe } from './engines/auto-engine.ts';
import { createHelloMemeEngineFromModels, hellomemeModelsPresent } from './engines/hellomeme/engine-from-models.ts';
import { createWarpEngine } from './engines/warp/warp-engine.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from './face/face-analyzer.ts';
import { type ClipAnalysis, type FaceToolkitAnalyser, faceToolkitOnFirstUse, faceToolkitPresent } from './face-toolkit/face-toolkit.ts';
import { DEFAULT_FACE_CHOICE, selectFaces } from './face/face-choice.ts';
import { drawCaptions } from './media/captions/caption-plate.ts';
import { startFrameEncoder } from './media/encode.ts';
import { warmFfmpegWorker } from './media/ffmpeg-off-thread.ts';
import { analysePhoto, createInputInspector, DEFAULT_MAX_SIDE } from './input-inspector.ts';
import { type AnalysedPhoto, PhotoCache } from './photo-cache.ts';
import { DEFAULT_SEED, type EngineName, type MemeResult, type MemeSpec, type Renderer } from './meme-spec.ts';
import { type DriverClip, templateDriverClip } from './motion/driver-motion.ts';
import { createMotionCache, type MotionCache } from './motion/motion-cache.ts';
import { StageTimer } from './stage-timer.ts';
import type { Box, Face, RunOptions } from './types.ts';

const DEFAULT_DRIVER_FPS = 12;
const MAX_FPS = 30;
/** Longest start offset between neighbouring faces: beyond it the faces no longer play the same moment. */
const MAX_FACE_OFFSET_SEC = 2;

export interface RendererOptions {
  templates?: TemplateCatalog;
  /** Where analysed template motion is kept (default ~/.cache/memeloom). */
  cacheDir?: string;
  faces?: FaceAnalyzer;
  /** Photos whose decode and face analysis are kept for repeats (default 8); 0 times every render cold. */
  photoCacheEntries?: number;
  /** HelloMeme models (default MEMELOOM_MODELS_DIR or ~/.cache/memeloom/models) and checkpoint preset. */
  modelsDir?: string;
  modelsPreset?: string;
  /** Real-ESRGAN ×2 on HelloMeme's frames (default on, as HelloMeme does; false: --no-upscale). */
  upscale?: boolean;
  /** An already built hellomeme engine (tests, tiny weights); null turns it off. */
  hellomeme?: Engine | null;
  /**
   * HelloMeme's face toolkit, the second face analyser (tests: stand-in models). Default: opened on first use from
   * the models directory when its models are there; null: none (HelloMeme falls back to the motion track).
   */
  faceToolkit?: FaceToolkitAnalyser | null;
  /** What users may send (photo bytes and pixels, clip bytes and seconds); default: config's defaults. */
  limits?: InputLimits;
  /** Where HelloMeme runs: a GPU provider that works (auto: CUDA, then WebGPU), or one named (default auto). */
  device?: DeviceChoice;
  /** How GPU providers are probed (default: a real session on each, graph/runtime.ts). */
  probe?: Probe;
  /** Hears the `auto` decision once (the bot logs it; the CLI prints it after a render). */
  log?: (line: string) => void;
  /**
   * Intra-op threads of each ONNX session HelloMeme and its face toolkit open (default: ORT's, one per physical core).
   * A process that renders other memes beside them (the bot) passes fewer, so they do not take the cores.
   */
  graphThreads?: number;
}

interface RenderDeps {
  templates: TemplateCatalog;
  faces: FaceAnalyzer;
  motionCache: MotionCache;
  photos: PhotoCache;
  limits: InputLimits;
  engines: Map<EngineName, Engine>;
  toolkit: FaceToolkitAnalyser | null;
  /** The toolkit's analysis of each cached photo, made the first time an engine needs it. */
  photoToolkit: WeakMap<AnalysedPhoto, Promise<ClipAnalysis | null>>;
  /** What `auto` runs here, and why (hellomeme needs its models and a GPU). */
  auto: AutoEngineChoice;
}

function pickEngine(deps: RenderDeps, spec: MemeSpec): Engine {
  const requested = spec.engine;
  // A style is a HelloMeme LoRA: `auto` with a style means hellomeme, whatever auto would pick without one.
  const name: EngineName = !requested || requested === 'auto' ? (spec.style && deps.engines.has('hellomeme') ? 'hellomeme' : deps.auto.engine) : requested;
  const engine = deps.engines.get(name);
  if (!engine) throw new MemeError('ENGINE_UNAVAILABLE', `the ${name} engine is not available on this machine (${deps.auto.reason})`, { engine: name });
  if (spec.style && !engine.styles?.length) {
    throw new InputError('BAD_OPTION', `styles need the HelloMeme engine and its LoRA files; the ${name} engine has none`, { detail: `styles need the HelloMeme engine, and the ${name} engine renders this meme` });
  }
  return engine;
}

/** The driving clip at the rate the request names, else the engine's (HelloMeme: 8), else the template's. */
function driverFor(spec: MemeSpec, deps: RenderDeps, needs: EngineNeeds): DriverClip {
  if (spec.templateId && spec.driverPath) throw new InputError('BAD_OPTION', 'give a template or a driving clip, not both');
  if (spec.fps !== undefined && !(spec.fps > 0 && spec.fps <= MAX_FPS)) {
    throw new InputError('BAD_OPTION', `fps must be between 1 and ${MAX_FPS}`);
  }
  const { rateConversion } = needs;
  if (spec.templateId) return templateDriverClip(deps.templates.get(spec.templateId), { fps: spec.fps ?? needs.fps, rateConversion });
  if (spec.driverPath) {
    const fps = spec.fps ?? needs.fps ?? DEFAULT_DRIVER_FPS;
    const { startSec, endSec } = driverSpan(spec.driverTrim, deps.limits.maxDriverSeconds);
    const maxSec = deps.limits.maxDriverSeconds;
    return { path: spec.driverPath, fps, rateConversion, startSec, endSec, maxDurationSec: maxSec, maxFrames: Math.ceil(fps * maxSec) };
  }
  throw new InputError('BAD_OPTION', 'a template or a driving clip is required');
}

/**
 * The seconds of a user's clip that are animated: from the trim's start (default 0) to its end, at most
 * `maxSec` long. A clip longer than the limit is trimmed to it, never refused; a span past the clip's end
 * simply ends with the clip.
 */
function driverSpan(trim: MemeSpec['driverTrim'], maxSec: number): { startSec: number; endSec: number } {
  const startSec = trim?.startSec ?? 0;
  if (!(Number.isFinite(startSec) && startSec >= 0)) throw new InputError('BAD_OPTION', 'the trim start must be 0 s or later', { detail: 'the trim start must be 0 s or later' });
  const endSec = trim?.endSec ?? startSec + maxSec;
  if (!(endSec > startSec)) throw new InputError('BAD_OPTION', 'the trim end must come after its start', { detail: 'the trim end must come after its start' });
  return { startSec, endSec: Math.min(endSec, startSec + maxSec) };
}

/** The toolkit's analysis of the photo's full-resolution self, made once per cached photo. */
function photoToolkit(photo: AnalysedPhoto, deps: RenderDeps): Promise<ClipAnalysis | null> {
  let toolkit = deps.photoToolkit.get(photo);
  if (!toolkit) {
    // Shared like the photo entry itself, so no abort signal: another render may wait on it.
    toolkit = analysePhotoWithToolkit(deps.toolkit, photo.source);
    deps.photoToolkit.set(photo, toolkit);
    toolkit.catch(() => deps.photoToolkit.delete(photo));
  }
  return toolkit;
}

/** The offset between faces' starts in a group, checked: 0 (lockstep) up to MAX_FACE_OFFSET_SEC. */
function faceOffset(spec: MemeSpec): number | undefined {
  const offset = spec.faceOffsetSec;
  if (offset !== undefined && !(offset >= 0 && offset <= MAX_FACE_OFFSET_SEC)) {
    const detail = `the offset between faces must be 0 to ${MAX_FACE_OFFSET_SEC} seconds`;
    throw new InputError('BAD_OPTION', detail, { detail });
  }
  return offset;
}

/** The box around every face: captions keep clear of all of them. */
function unionBox(faces: readonly Face[]): Box {
  const x = Math.min(...faces.map((f) => f.box.x));
  const y = Math.min(...faces.map((f) => f.box.y));
  const right = Math.max(...faces.map((f) => f.box.x + f.box.width));
  const bottom = Math.max(...faces.map((f) => f.box.y + f.box.height));
  return { x, y, width: right - x, height: bottom - y };
}

async function runMeme(spec: MemeSpec, deps: RenderDeps, run: RunOptions): Promise<MemeResult> {
  const timer = new StageTimer(run);
  const engine = pickEngine(deps, spec);
  const clip = driverFor(spec, deps, engine.needs);
  const maxSide = spec.maxSide ?? DEFAULT_MAX_SIDE;

  // Decode and face analysis run once per photo; a repeat (another template, another take) or the check made
  // when the photo arrived (input-inspector.ts) already did them. No abort inside: others may share the analysis.
  const photo = await analysePhoto(deps, spec.photo, maxSide, timer);
  const { image, faces } = photo;
  const chosen = selectFaces(faces, spec.face ?? DEFAULT_FACE_CHOICE, { multiFace: engine.multiFace, engineName: engine.name, offsetSec: faceOffset(spec) });
  const face = chosen.animated[chosen.animated.length - 1]; // the largest chosen: a one-face engine's face
  const group = engine.multiFace ? chosen : undefined;
  const reference: EngineReference = engine.needs.toolkit
    ? { image, source: photo.source, face, group, toolkit: await timer.stage('face', () => photoToolkit(photo, deps)) }
    : { image, source: photo.source, face, group };
  throwIfAborted(run.signal);
  const driver = await timer.stage('motion', (report) =>
    analyseDriver(clip, engine.needs, { faces: deps.faces, motionCache: deps.motionCache, toolkit: deps.toolkit }, { signal: run.signal, onProgress: (p) => report(p.fraction) }),
  );
  // Captions are drawn onto each frame as it leaves the engine, and the encoder starts on it at once.
  // A caption with no room beside the face goes to a band, so the output frame may be taller than the picture.
  const captions = await timer.stage('captions', () => drawCaptions(spec.captions ?? {}, image.width, image.height, { face: unionBox(faces) }));
  const encoder = startFrameEncoder(captions.width, captions.height, driver.fps, { format: spec.format, maxBytes: spec.maxBytes, fit: spec.fit, signal: run.signal });
  let streamed = 0;
  const emit = (frame: Uint8Array) => {
    encoder.write(captions.apply(frame));
    streamed++;
  };
  try {
    const frames = await timer.stage('engine', (report) =>
      engine.render(reference, driver, { seed: spec.seed, prompt: spec.prompt, transRatio: spec.transRatio, style: spec.style }, { signal: run.signal, onProgress: (p) => report(p.fraction), onFrame: emit }),
    );
    if (frames.width !== image.width || frames.height !== image.height) {
      throw new MemeError('INTERNAL', `the ${engine.name} engine returned ${frames.width}x${frames.height} frames for a ${image.width}x${image.height} photo`);
    }
    frames.frames.slice(streamed).forEach(emit); // engines that hand over frames only at the end
    throwIfAborted(run.signal);
    const { attempts: _attempts, ...encoded } = await timer.stage('encode', () => encoder.finish(frames.fps));
    return { ...encoded, engine: engine.name, seed: spec.seed ?? DEFAULT_SEED, stageMs: timer.stageMs, notes: [...chosen.notes, ...captions.notes] };
  } catch (error) {
    encoder.cancel();
    throw error;
  }
}

/** Loads the face model and engines once; `render` runs one job. */
export async function createRenderer(options: RendererOptions = {}): Promise<Renderer> {
  warmFfmpegWorker();
  const faces = options.faces ?? (await createFaceAnalyzer());
  const modelsDir = options.modelsDir ?? defaultModelsDir({ MEMELOOM_MODELS_DIR: processSettings().modelsDir });
  // Probed only when HelloMeme could run: a machine without its models never pays for a GPU probe.
  const present = options.hellomeme === undefined ? await hellomemeModelsPresent(modelsDir, options.modelsPreset) : options.hellomeme !== null;
  const device = present ? await chooseDevice(options.device, options.probe) : null;
  const auto = await chooseAutoEngine(present, device, options.log);
  let hellomeme = options.hellomeme ?? null;
  if (options.hellomeme === undefined && device) hellomeme = createHelloMemeEngineFromModels(modelsDir, options.modelsPreset, { sessions: { provider: device.device, threads: options.graphThreads }, upscale: options.upscale });
  // The toolkit comes with HelloMeme's models; an engine handed in brings its own (or none: the motion track stands
  // in). Its models are foreign fp32 graphs with dynamic shapes: on CUDA with HelloMeme, else on the CPU.
  const fromModels = options.hellomeme === undefined && device !== null && (await faceToolkitPresent(modelsDir));
  const toolkitProvider = device?.device === 'cuda' ? 'cuda' : 'cpu';
  const toolkit = options.faceToolkit !== undefined ? options.faceToolkit : fromModels ? faceToolkitOnFirstUse(modelsDir, { provider: toolkitProvider, threads: options.graphThreads }) : null;
  const deps: RenderDeps = {
    templates: options.templates ?? (await loadTemplateCatalog()),
    faces,
    motionCache: createMotionCache(path.join(options.cacheDir ?? memeloomCacheDir(), 'motion')),
    photos: new PhotoCache(options.photoCacheEntries),
    limits: options.limits ?? DEFAULT_INPUT_LIMITS,
    engines: new Map([['warp', createWarpEngine({ faceTriangles: faces.meshTriangles })]]),
    toolkit,
    photoToolkit: new WeakMap(),
    auto,
  };
  if (hellomeme) deps.engines.set('hellomeme', hellomeme);
  const ownsFaces = !options.faces;
  return {
    engines: [...deps.engines.keys()],
    styles: hellomeme?.styles ?? [],
    autoChoice: deps.auto,
    inspector: createInputInspector(deps),
    render: (spec, run = {}) => runMeme(spec, deps, run),
    async dispose() {
      for (const engine of deps.engines.values()) await engine.dispose();
      if (ownsFaces) await deps.faces.dispose();
      if (options.faceToolkit === undefined) await toolkit?.dispose();
    },
  };
}
