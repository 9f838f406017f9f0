// The table of Hugging Face files the HelloMeme v5 engine needs (spec §2.1 and §7), per checkpoint preset.
// Repo ids come from the spec. The face models' names are the ones HelloMeme's own face toolkit downloads
// (hf_hub_download from songkey/hello_group_facemodel); HelloMeme loads the adapters and PD-FGC with diffusers'
// from_pretrained, so their names follow its save_pretrained layout (not checked against the hub here). Data only;
// their sizes are in recorded-sizes.ts.
import { InputError } from '../errors.ts';

/** One file in a Hugging Face model repo. */
export interface HubFile {
  repo: string;
  path: string;
  /** What the engine uses it for (shown by `models list`). */
  role: string;
}

/** A diffusers component folder: config.json + diffusion_pytorch_model.safetensors (or another weights name). */
function component(repo: string, folder: string, role: string, weights = 'diffusion_pytorch_model.safetensors'): HubFile[] {
  const prefix = folder ? `${folder}/` : '';
  return [
    { repo, path: `${prefix}config.json`, role },
    { repo, path: `${prefix}${weights}`, role },
  ];
}

/** songkey/stable-diffusion-v1-5: with stylize x1 the text encoders, the reference UNet and the encoding VAE. */
export const BASE_SD15_REPO = 'songkey/stable-diffusion-v1-5';

const BASE_FILES: HubFile[] = [
  ...component(BASE_SD15_REPO, 'text_encoder', 'CLIP text encoder', 'model.safetensors'),
  { repo: BASE_SD15_REPO, path: 'tokenizer/vocab.json', role: 'CLIP tokenizer' },
  { repo: BASE_SD15_REPO, path: 'tokenizer/merges.txt', role: 'CLIP tokenizer' },
  ...component(BASE_SD15_REPO, 'unet', 'reference UNet (base SD1.5)'),
  ...component(BASE_SD15_REPO, 'vae', 'encoding VAE (base SD1.5)'),
];

/** HelloMeme's face toolkit (detector, 222 landmarks, 3DMM): the second face analyser's models. */
export const FACE_REPO = 'songkey/hello_group_facemodel';
/** The PD-FGC expression encoder (a diffusers-style folder). */
export const PD_FGC_REPO = 'songkey/pd_fgc_motion';

/** Real-ESRGAN ×2 (RRDBNet, a torch pickle with params_ema), which HelloMeme applies to every output frame by default. */
export const UPSCALER_FILE: HubFile = { repo: 'songkey/ESRGAN', path: 'RealESRGAN_x2plus.pth', role: 'Real-ESRGAN ×2 upscaler' };

/** The HelloMeme v5 adapters, expression encoder and face models; shared by every preset. */
const HELLOMEME_FILES: HubFile[] = [
  ...component('songkey/hm5_reference', '', 'reference adapter (SK attention v5)'),
  ...component('songkey/hm5_motion', '', 'motion adapter'),
  ...component('songkey/hm5_control_base', '', 'control net (SmallUnetV5)'),
  ...component('songkey/hm5_control_proj', '', 'control projector'),
  ...component(PD_FGC_REPO, '', 'PD-FGC expression encoder'),
  { repo: FACE_REPO, path: 'hello_face_det.onnx', role: 'face detector' },
  { repo: FACE_REPO, path: 'hello_face_landmark.onnx', role: '222-point landmarks' },
  { repo: FACE_REPO, path: 'hello_3dmm.onnx', role: '3DMM head pose' },
  UPSCALER_FILE,
];

/** Short preset names → checkpoint repos (the denoising UNet and decoding VAE come from the checkpoint). */
export const PRESETS: Readonly<Record<string, string>> = Object.freeze({
  realistic: 'songkey/realisticVisionV60B1_v51VAE',
  toon: 'songkey/disney-pixar-cartoon-b',
  anime: 'songkey/animeanything_v10',
  base: BASE_SD15_REPO,
});
export const DEFAULT_PRESET = 'realistic';

/** Every checkpoint preset HelloMeme offers (spec §7), usable by its own name too. */
export const CHECKPOINT_NAMES: readonly string[] = [
  'stable-diffusion-v1-5',
  'realisticVisionV60B1_v51VAE',
  'disney-pixar-cartoon-b',
  'toonyou_beta6',
  'LZ_2DCartoon_V2',
  'meinamix_v12Final',
  'animedark_v10',
  'absolutereality_v181',
  'dreamshaper_8',
  'epicphotogasm_ultimateFidelity',
  'epicrealism_naturalSinRC1VAE',
  'xxmix9realistic_v40',
  'cyberrealistic_v80',
  'animeanything_v10',
];

/** A preset name or a checkpoint name → its repo id. */
export function checkpointRepo(preset: string): string {
  const repo = PRESETS[preset] ?? (CHECKPOINT_NAMES.includes(preset) ? `songkey/${preset}` : undefined);
  if (!repo) {
    const known = [...Object.keys(PRESETS), ...CHECKPOINT_NAMES].join(', ');
    throw new InputError('BAD_OPTION', `unknown preset '${preset}' (known: ${known})`, { preset });
  }
  return repo;
}

/** Every file a render with this preset needs, without duplicates (the base preset shares the SD1.5 repo). */
export function filesForPreset(preset: string = DEFAULT_PRESET): HubFile[] {
  const repo = checkpointRepo(preset);
  const checkpoint = [...component(repo, 'unet', 'denoising UNet (checkpoint)'), ...component(repo, 'vae', 'decoding VAE (checkpoint)')];
  const seen = new Set<string>();
  return [...BASE_FILES, ...checkpoint, ...HELLOMEME_FILES].filter((file) => {
    const key = `${file.repo}/${file.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
