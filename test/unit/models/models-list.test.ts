// `memeloom models list`: each file's state and download size, the preset's total and what is left, offline
// from the recorded sizes, or exact from the source with --remote (Hugging Face and ModelScope layouts).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModelsList } from '../../../src/cli/models-list.ts';
import { formatBytes } from '../../../src/cli/table.ts';
import { CHECKPOINT_NAMES, PRESETS, filesForPreset } from '../../../src/models/model-files.ts';
import { checkModelFiles, localPathOf, partialPath } from '../../../src/models/models-dir.ts';
import { recordedSize, recordedTotal } from '../../../src/models/recorded-sizes.ts';
import { MOTION, MOTION_CONFIG, usePullFixture } from './pull-fixture.ts';
import { sink } from './sink.ts';

const f = usePullFixture();

const rowOf = (text: string, file: string) => text.split('\n').find((line) => line.startsWith(`${file} `)) ?? '';

describe('models list', () => {
  it('knows a size for every file of every preset, offline, exact for the face models', () => {
    for (const preset of [...Object.keys(PRESETS), ...CHECKPOINT_NAMES]) {
      for (const file of filesForPreset(preset)) expect(recordedSize(file), `${preset}: ${file.repo}/${file.path}`).not.toBeNull();
    }
    expect(recordedSize({ repo: 'songkey/hello_group_facemodel', path: 'hello_3dmm.onnx', role: '' })).toEqual({ bytes: 311_369_773, basis: 'exact' });
    // The SD1.5 UNet (859.5M parameters) is fp16 in songkey's repos: its hub page says 1.72 GB.
    expect(recordedSize({ repo: 'songkey/stable-diffusion-v1-5', path: 'unet/diffusion_pytorch_model.safetensors', role: '' })?.bytes).toBe(1_719_040_000);
    const realistic = recordedTotal(filesForPreset('realistic'));
    expect(realistic).toEqual({ bytes: 7_773_413_827, exact: false, unknown: 0 });
    // The base preset shares the SD1.5 repo, so its checkpoint UNet and VAE are not downloaded twice.
    expect(recordedTotal(filesForPreset('base')).bytes).toBe(5_887_071_827);
  });

  it('shows each file with its size, the total and what is left, and the named presets totals', async () => {
    const out = sink();
    expect(await runModelsList(['--dir', f.dir], { env: {}, stdout: out.stream })).toBe(0);
    const text = out.text();
    const files = filesForPreset('realistic');
    expect(rowOf(text, 'songkey/hello_group_facemodel/hello_3dmm.onnx')).toMatch(/ missing +297 MiB +3DMM head pose$/);
    expect(rowOf(text, 'songkey/hm5_motion/diffusion_pytorch_model.safetensors')).toMatch(/ missing +≈1\.50 GiB +motion adapter$/);
    expect(text).toContain(`preset realistic: ${files.length} files, ≈7.24 GiB in all (sizes recorded offline; ≈ approximate, from parameter counts; --remote asks the source for exact ones)`);
    expect(text).toContain(`0 of ${files.length} files present in ${f.dir}; ≈7.24 GiB left to download`);
    expect(text).toContain('preset totals (recorded): realistic ≈7.24 GiB, toon ≈7.24 GiB, anime ≈7.24 GiB, base ≈5.48 GiB');
    expect(text).toContain('run `memeloom models pull --preset realistic` to fetch the rest');
  });

  it('shows present, partial and missing files of the preset', async () => {
    const files = filesForPreset('toon');
    await f.pull([MOTION, MOTION_CONFIG]);
    const textEncoder = files[1];
    const part = partialPath(localPathOf(f.dir, textEncoder));
    await mkdir(path.dirname(part), { recursive: true });
    await writeFile(part, Buffer.alloc(123_000_000 / 4));
    const out = sink();
    await runModelsList(['--preset', 'toon', '--dir', f.dir], { env: {}, stdout: out.stream });
    const text = out.text();
    expect(text).toContain(`2 of ${files.length} files present`);
    expect(rowOf(text, 'songkey/hm5_motion/diffusion_pytorch_model.safetensors')).toMatch(/ present /);
    expect(rowOf(text, `${textEncoder.repo}/${textEncoder.path}`)).toMatch(/ partial 12% +≈235 MiB /);
    expect(rowOf(text, 'songkey/disney-pixar-cartoon-b/unet/diffusion_pytorch_model.safetensors')).toMatch(/ missing /);
    expect(text).toContain('memeloom models pull --preset toon');
    const states = await checkModelFiles(f.dir, files);
    expect(states.filter((s) => s.state === 'missing')).toHaveLength(files.length - 3);
  });

  it('--remote shows the exact sizes the source reports, from Hugging Face or ModelScope', async () => {
    for (const env of [{ HF_ENDPOINT: f.hub.hubUrl }, { MEMELOOM_MODELS_SOURCE: 'modelscope', MODELSCOPE_DOMAIN: f.hub.hubUrl }]) {
      const out = sink();
      await runModelsList(['--remote', '--dir', f.dir], { env, stdout: out.stream });
      const text = out.text();
      expect(rowOf(text, 'songkey/hello_group_facemodel/hello_3dmm.onnx')).toMatch(/ missing +48\.0 KiB /);
      expect(rowOf(text, 'songkey/hm5_motion/config.json')).toMatch(/ missing +300 B /);
      const files = filesForPreset('realistic');
      const lfs = files.filter((file) => /\.(safetensors|onnx|pth)$/.test(file.path)).length;
      const bytes = lfs * 48 * 1024 + (files.length - lfs) * 300;
      expect(text).toContain(`preset realistic: ${files.length} files, ${formatBytes(bytes)} in all (sizes exact, from ${f.hub.hubUrl})`);
    }
  });
});
