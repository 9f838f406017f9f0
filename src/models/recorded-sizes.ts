// How big each model file is, without asking the hub, so `models list` can show the download size offline.
// `models list --remote` asks the source for the exact figures instead. Provenance of each figure:
//  - exact: the byte counts in the face models' Git LFS pointers (songkey/hello_group_facemodel, commit c101210).
//  - approx: the songkey/stable-diffusion-v1-5 UNet's hub page says 1.72 GB, i.e. fp16 (859.5M parameters × 2);
//    the other SD1.5 checkpoint repos come from the same upload script, so their UNet, VAE (83.7M) and CLIP text
//    encoder (123.1M) are counted at 2 bytes per parameter. HelloMeme's adapters are fp32 (hm5b_reference's LFS
//    pointer is 1,107,788,840 B = its 276.9M parameters × 4), so hm5_* and PD-FGC are counted at 4 bytes per
//    parameter (parameter counts from the HelloMeme spec §2.1). The CLIP vocab.json is 1.06 MB on hub pages,
//    merges.txt about 525 kB; a config.json is about 1 kB. RealESRGAN_x2plus.pth: its RRDBNet's 16,703,171 fp32
//    parameters (the pickle and zip headers add a few kB).
import type { HubFile } from './model-files.ts';

interface RecordedSize {
  bytes: number;
  /** exact: the published byte count; approx: a hub page's rounded figure or parameters × bytes per parameter. */
  basis: 'exact' | 'approx';
}

const EXACT: Readonly<Record<string, number>> = {
  'songkey/hello_group_facemodel/hello_face_det.onnx': 370_619,
  'songkey/hello_group_facemodel/hello_face_landmark.onnx': 2_865_751,
  'songkey/hello_group_facemodel/hello_3dmm.onnx': 311_369_773,
};

const FP16 = 2;
const FP32 = 4;

/** Weights files of HelloMeme's own repos: parameters (spec §2.1) × 4 bytes. */
const HELLOMEME_WEIGHTS: Readonly<Record<string, number>> = {
  'songkey/hm5_reference': 96.3e6 * FP32,
  'songkey/hm5_motion': 401.8e6 * FP32,
  'songkey/hm5_control_base': 227.6e6 * FP32,
  'songkey/hm5_control_proj': 107.3e6 * FP32,
  'songkey/pd_fgc_motion': 9.9e6 * FP32,
};

/** Other weights files by repo/path: parameters × bytes. */
const OTHER_WEIGHTS: Readonly<Record<string, number>> = {
  'songkey/ESRGAN/RealESRGAN_x2plus.pth': 16_703_171 * FP32,
};

/** Files with the same name and size in every SD1.5 checkpoint repo. */
const SD15_BY_PATH: Readonly<Record<string, number>> = {
  'unet/diffusion_pytorch_model.safetensors': 859.52e6 * FP16,
  'vae/diffusion_pytorch_model.safetensors': 83.65e6 * FP16,
  'text_encoder/model.safetensors': 123.06e6 * FP16,
  'tokenizer/vocab.json': 1.06e6,
  'tokenizer/merges.txt': 525e3,
};

const CONFIG_BYTES = 1_000;

/** The recorded size of a file, or null for a file this table does not know. */
export function recordedSize(file: HubFile): RecordedSize | null {
  const exact = EXACT[`${file.repo}/${file.path}`];
  if (exact !== undefined) return { bytes: exact, basis: 'exact' };
  const approx = OTHER_WEIGHTS[`${file.repo}/${file.path}`] ?? (file.path.endsWith('config.json')
    ? CONFIG_BYTES
    : file.path === 'diffusion_pytorch_model.safetensors'
      ? HELLOMEME_WEIGHTS[file.repo]
      : SD15_BY_PATH[file.path]);
  return approx === undefined ? null : { bytes: Math.round(approx), basis: 'approx' };
}

/** The sum of the recorded sizes, and whether every one of them was exact. */
export function recordedTotal(files: readonly HubFile[]): { bytes: number; exact: boolean; unknown: number } {
  let bytes = 0;
  let exact = true;
  let unknown = 0;
  for (const file of files) {
    const size = recordedSize(file);
    if (!size) unknown++;
    else {
      bytes += size.bytes;
      exact &&= size.basis === 'exact';
    }
  }
  return { bytes, exact: exact && unknown === 0, unknown };
}
