// The table of Hugging Face files the HelloMeme v5 engine needs (spec §2.1 and §7), per checkpoint preset, and
// the optional LoRA styles HelloMeme's app offers.
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

/**
 * Every file a render with this preset needs, without duplicates (the base preset shares the SD1.5 repo), plus the
 * LoRA files of the optional `styles` asked for (names or 'all').
 */
export function filesForPreset(preset: string = DEFAULT_PRESET, styles: readonly string[] = []): HubFile[] {
  const repo = checkpointRepo(preset);
  const checkpoint = [...component(repo, 'unet', 'denoising UNet (checkpoint)'), ...component(repo, 'vae', 'decoding VAE (checkpoint)')];
  const seen = new Set<string>();
  return [...BASE_FILES, ...checkpoint, ...HELLOMEME_FILES, ...styleFiles(styles)].filter((file) => {
    const key = `${file.repo}/${file.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** HelloMeme's LoRA styles (its app's `sd15.loras`, all in songkey/loras_sd_1_5): optional, pulled on request. */
export const STYLE_REPO = 'songkey/loras_sd_1_5';

interface StylePreset {
  /** What users type: `--style ghibli`, the Discord choice, `/meme nod style:ghibli`. */
  readonly id: string;
  /** HelloMeme's preset name ("[preset]ghibli_anime_v1" without the prefix); accepted too. */
  readonly hellomemeName: string;
  /** Shown in menus. */
  readonly label: string;
  readonly file: HubFile;
}

const style = (id: string, hellomemeName: string, label: string, file: string): StylePreset => ({ id, hellomemeName, label, file: { repo: STYLE_REPO, path: file, role: `LoRA style '${id}' (optional)` } });

/** In HelloMeme's order. */
export const STYLE_PRESETS: readonly StylePreset[] = Object.freeze([
  style('baby-face', 'BabyFaceV1', 'Baby face', 'baby_face_v1.safetensors'),
  style('more-details', 'MoreDetails', 'More details', 'more_details.safetensors'),
  style('pixel-portrait', 'PixelPortraitV1', 'Pixel portrait', 'pixel-portrait-v1.safetensors'),
  style('drawing', 'Drawing', 'Drawing', 'Drawing.safetensors'),
  style('anime-extract', 'anime_extract', 'Anime (extract)', 'anime_extract.safetensors'),
  style('animemix', 'animemix_v3_offset', 'Anime mix', 'animemix_v3_offset.safetensors'),
  style('anime-outline', 'animeoutlineV4_16', 'Anime outline', 'animeoutlineV4_16.safetensors'),
  style('ghibli', 'ghibli_anime_v1', 'Ghibli anime', 'ghibli_anime_v1.safetensors'),
  style('ink', 'zyd232_InkStyle_v1_0', 'Ink', 'zyd232_InkStyle_v1_0.safetensors'),
]);

/**
 * HelloMeme loads a LoRA's UNet part at 1.0 whatever its "lora scale" (the scale only reaches the text encoder,
 * spec §7) and its app defaults that scale to 1.0, so both parts merge at 1.0.
 */
export const STYLE_UNET_SCALE = 1;
export const STYLE_TEXT_ENCODER_SCALE = 1;

/** A style by id or HelloMeme name (case-insensitive, with or without "[preset]"); BAD_OPTION lists the known ones. */
export function stylePreset(name: string): StylePreset {
  const wanted = name.trim().replace(/^\[preset\]/i, '').toLowerCase();
  const found = STYLE_PRESETS.find((s) => s.id === wanted || s.hellomemeName.toLowerCase() === wanted);
  const known = STYLE_PRESETS.map((s) => s.id).join(', ');
  if (!found) throw new InputError('BAD_OPTION', `unknown style '${name}' (known: ${known})`, { detail: `there is no style '${name}'; the styles are ${known}` });
  return found;
}

/** The LoRA files of the named styles ('all' = every style), for `models pull --style`. */
function styleFiles(names: readonly string[]): HubFile[] {
  const styles = names.includes('all') ? STYLE_PRESETS : names.map(stylePreset);
  return [...new Set(styles)].map((s) => s.file);
}
