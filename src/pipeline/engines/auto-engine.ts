// The one owner of `engine: auto` and of the HelloMeme device: HelloMeme only where its models are present and a
// GPU execution provider really runs (CUDA, then WebGPU, each probed by graph/runtime.ts); otherwise warp, since
// diffusion on the CPU takes hours. The CLI renderer, the bot's renderer and the worker all decide through here.
import { type GpuProvider, type ProviderProbe, probeProvider } from '../../graph/runtime.ts';
import type { EngineName } from '../meme-spec.ts';

type HelloMemeDevice = 'cpu' | 'cuda' | 'webgpu';
export type DeviceChoice = 'auto' | HelloMemeDevice;
export const DEVICE_CHOICES: readonly DeviceChoice[] = ['auto', 'cpu', 'cuda', 'webgpu'];

export type Probe = (provider: GpuProvider) => Promise<ProviderProbe>;

interface DeviceDecision {
  readonly device: HelloMemeDevice;
  /** a GPU execution provider runs HelloMeme (false: the CPU, chosen or fallen back to) */
  readonly gpu: boolean;
  readonly reason: string;
}

export interface AutoEngineChoice {
  readonly engine: EngineName;
  /** where HelloMeme's graphs run on this machine */
  readonly device: HelloMemeDevice;
  readonly reason: string;
}

/**
 * auto: the first GPU provider that runs, in order CUDA then WebGPU, else the CPU. A provider named by the user is
 * kept even when its probe fails (HelloMeme then says why when it opens its sessions; auto stays on warp): asking
 * for the GPU must never turn into hours of CPU diffusion.
 */
export async function chooseDevice(choice: DeviceChoice = 'auto', probe: Probe = probeProvider): Promise<DeviceDecision> {
  if (choice === 'cpu') return { device: 'cpu', gpu: false, reason: 'the CPU was chosen (--device cpu)' };
  if (choice !== 'auto') {
    const result = await probe(choice);
    return { device: choice, gpu: result.usable, reason: result.detail };
  }
  const tried: string[] = [];
  for (const provider of ['cuda', 'webgpu'] as const) {
    const result = await probe(provider);
    if (result.usable) return { device: provider, gpu: true, reason: result.detail };
    tried.push(result.detail);
  }
  return { device: 'cpu', gpu: false, reason: `no GPU execution provider runs here (${tried.join('; ')})` };
}

const logged = new Set<string>();

/**
 * What `auto` renders with: HelloMeme only with its models and a GPU provider that runs. `log` hears each distinct
 * decision once per process (the CLI, the bot and the worker may all ask).
 */
export async function chooseAutoEngine(hellomemeModels: boolean, device: DeviceDecision | null, log?: (line: string) => void): Promise<AutoEngineChoice> {
  const decided = device ?? { device: 'cpu' as const, gpu: false, reason: 'no device was probed' };
  let choice: AutoEngineChoice;
  if (!hellomemeModels) choice = { engine: 'warp', device: decided.device, reason: 'HelloMeme models are not in the models directory (memeloom models pull)' };
  else if (!decided.gpu) choice = { engine: 'warp', device: decided.device, reason: `HelloMeme models are present but ${decided.reason}; --engine hellomeme runs it anyway (hours per meme on the CPU)` };
  else choice = { engine: 'hellomeme', device: decided.device, reason: `HelloMeme models are present and ${decided.reason}` };
  const line = `engine auto → ${choice.engine}: ${choice.reason}`;
  if (log && !logged.has(line)) {
    logged.add(line);
    log(line);
  }
  return choice;
}
