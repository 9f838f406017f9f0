// bench:graph's side-by-side: the same UNet step in diffusers 0.33.1 on Debian's python3-torch, run by the
// throwaway bench/torch-unet-step.py in a child process that keeps the model loaded, so the bench can alternate
// an ORT step and a PyTorch step. Absent python3-torch or a diffusers checkout (DIFFUSERS_SRC), it says why.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

const SCRIPT = new URL('./torch-unet-step.py', import.meta.url).pathname;

export interface TorchStep {
  seconds: number;
  /** CPU seconds the process used during the step, all threads together (≈ threads × seconds when they all work) */
  cpuSeconds: number;
  peakRssBytes: number;
}

export interface TorchProfileRow {
  readonly op: string;
  readonly self_s: number;
  readonly count: number;
}

export interface TorchUnet {
  readonly versions: string;
  step(): Promise<TorchStep>;
  /** One step under torch's autograd profiler: self CPU seconds per aten op. */
  profile(): Promise<TorchProfileRow[]>;
  /** Writes the last step's output as raw float32 to `path`. */
  writeOutput(path: string): Promise<void>;
  close(): Promise<void>;
}

/** The python that has torch: MEMELOOM_BENCH_PYTHON, else python3 on PATH, else Debian's /usr/bin/python3. */
function pythonWithTorch(): string | null {
  const candidates = [process.env.MEMELOOM_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0) ?? null;
}

/** Why the comparison cannot run here, or null when it can. */
export function torchComparisonUnavailable(): string | null {
  const src = process.env.DIFFUSERS_SRC;
  if (!src) return 'DIFFUSERS_SRC is not set (the src/ folder of a diffusers 0.33.1 checkout)';
  if (!existsSync(join(src, 'diffusers', 'models', 'unets', 'unet_2d_condition.py'))) return `DIFFUSERS_SRC=${src} holds no diffusers/models/unets/unet_2d_condition.py`;
  if (!pythonWithTorch()) return 'no python with torch and numpy (apt-get install python3-torch, or MEMELOOM_BENCH_PYTHON)';
  return null;
}

async function nextJson(lines: AsyncIterator<string>, child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<Record<string, unknown>> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the PyTorch process ended (exit ${child.exitCode}): ${stderr().slice(-2000)}`);
    if (value.startsWith('{')) return JSON.parse(value) as Record<string, unknown>;
  }
}

/**
 * Debian's torch uses whatever libblas.so.3 resolves to; the default alternative is the reference BLAS, several times
 * slower at the attention and linear matmuls than OpenBLAS. Where libopenblas0-pthread is installed the PyTorch side
 * loads it first, so the comparison is with a PyTorch as users run it; the versions line names the BLAS either way.
 */
const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

/**
 * Threads: torch.set_num_threads (ATen's OpenMP pool, which oneDNN's convolutions use) and OpenBLAS's own pool both
 * get `threads`; Debian's torch otherwise starts with one OpenMP thread here (omp_get_max_threads() is 1).
 */
function torchEnv(threads: number): NodeJS.ProcessEnv {
  const env = { ...process.env, TORCH_THREADS: String(threads), OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  if (!existsSync(join(OPENBLAS_DIR, 'libblas.so.3'))) return env;
  return { ...env, LD_LIBRARY_PATH: [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

/** Starts the PyTorch side on the same weights (safetensors), inputs (safetensors) and config.json, with `threads` intra-op threads. */
export async function startTorchUnet(weights: string, inputs: string, config: string, threads: number): Promise<TorchUnet> {
  const python = pythonWithTorch() as string;
  const child = spawn(python, [SCRIPT, weights, inputs, config], { env: torchEnv(threads) });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-8000);
  });
  const reader: Interface = createInterface({ input: child.stdout });
  const lines = reader[Symbol.asyncIterator]();
  const ready = await nextJson(lines, child, () => errors);
  const ask = async (command: string) => {
    child.stdin.write(`${command}\n`);
    return nextJson(lines, child, () => errors);
  };
  return {
    versions: `diffusers ${ready.diffusers}, torch ${ready.torch}, ${ready.threads} threads, BLAS ${ready.blas}, ${ready.mkldnn} (model load ${Number(ready.load_s).toFixed(1)} s)`,
    async step() {
      const out = await ask('step');
      return { seconds: Number(out.step_s), cpuSeconds: Number(out.cpu_s), peakRssBytes: Number(out.peak_rss_bytes) };
    },
    async profile() {
      return (await ask('profile')).ops as TorchProfileRow[];
    },
    async writeOutput(path) {
      await ask(`out ${path}`);
    },
    async close() {
      child.stdin.end('quit\n');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
