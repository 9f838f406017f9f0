#!/usr/bin/env python3
# Makes reference.safetensors: HelloMeme's own HM5VideoPipeline.gen_video (HelloMeme e0c7fe1, diffusers 0.33.1,
# Debian's python3-torch 1.13, float32, 1 thread) on the hellomeme_v5_tiny modules for frame counts the loop golden
# does not cover (35: four depth-0 windows; 134: three levels), from the inputs unseen-inputs.ts writes, with every
# scheduler draw replayed from its noise file. Run once, from the repository root:
#   DIFFUSERS_SRC=<diffusers 0.33.1>/src HELLOMEME_SRC=<HelloMeme checkout> /usr/bin/python3 \
#     test/golden/hellomeme_v5_tiny/loop_unseen/make_golden.py 35 134
# Only torch and numpy are needed: the hub/safetensors helpers diffusers imports are stubbed and torch 1.13 patched
# by bench/torch-unet-step.py's shims; einops.rearrange, torchvision's BasicBlock (unused here) and HelloMeme's
# package __init__ files (they import every version's code and the face toolkit) are replaced below.
import json
import os
import struct
import sys
import types

import numpy as np
import torch

import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
spec = importlib.util.spec_from_file_location('tus', os.path.join(ROOT, 'bench', 'torch-unet-step.py'))
tus = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tus)


def rearrange(tensor, pattern, **sizes):
    """einops.rearrange for the patterns HelloMeme uses: groups in parentheses, literal 1, one unknown per group."""
    lhs, rhs = [side.split() for side in pattern.split('->')]

    def groups(tokens):
        out, current = [], None
        for tok in ' '.join(tokens).replace('(', ' ( ').replace(')', ' ) ').split():
            if tok == '(':
                current = []
            elif tok == ')':
                out.append(current)
                current = None
            elif current is not None:
                current.append(tok)
            else:
                out.append([tok])
        return out

    lg, rg = groups(lhs), groups(rhs)
    known = dict(sizes)
    if len(lg) != tensor.dim():
        raise ValueError(f'{pattern}: {tensor.dim()} dims')
    for group, size in zip(lg, tensor.shape):
        axes = [a for a in group if a != '1']
        unknown = [a for a in axes if a not in known]
        prod = 1
        for a in axes:
            if a in known:
                prod *= known[a]
        if len(unknown) == 1:
            known[unknown[0]] = size // prod
    elementary = [a for g in lg for a in g if a != '1']
    x = tensor.reshape([known[a] for a in elementary]) if elementary else tensor
    target = [a for g in rg for a in g if a != '1']
    x = x.permute([elementary.index(a) for a in target])
    shape = []
    for g in rg:
        p = 1
        for a in g:
            p *= 1 if a == '1' else known[a]
        shape.append(p)
    return x.reshape(shape)


def install_shims(hellomeme_src):
    einops = types.ModuleType('einops')
    einops.rearrange = rearrange
    sys.modules['einops'] = einops
    tv = types.ModuleType('torchvision')
    tv.__path__ = []
    models = types.ModuleType('torchvision.models')
    models.__path__ = []
    resnet = types.ModuleType('torchvision.models.resnet')
    resnet.BasicBlock = type('BasicBlock', (torch.nn.Module,), {})
    for m in (tv, models, resnet):
        m.__spec__ = importlib.machinery.ModuleSpec(m.__name__, None, is_package=True)
    sys.modules.update({'torchvision': tv, 'torchvision.models': models, 'torchvision.models.resnet': resnet})
    # Namespaces instead of hellomeme/__init__ and hellomeme/pipelines/__init__ (they import every version's code).
    for name, folder in (('hellomeme', ''), ('hellomeme.pipelines', 'pipelines'), ('hellomeme.tools', 'tools')):
        m = types.ModuleType(name)
        m.__path__ = [os.path.join(hellomeme_src, 'hellomeme', folder)]
        sys.modules[name] = m
    utils = types.ModuleType('hellomeme.tools.utils')

    def creat_model_from_cloud(*args, **kwargs):
        raise RuntimeError('no downloads in the cross-check')

    utils.creat_model_from_cloud = creat_model_from_cloud
    sys.modules['hellomeme.tools.utils'] = utils


def tensors(path):
    return {k: torch.from_numpy(v.copy()) for k, v in tus.safetensors_tensors(path)}


def load(module, folder):
    state = tensors(os.path.join(folder, 'diffusion_pytorch_model.safetensors'))
    missing, unexpected = module.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith('pos_embed.pe')]
    if missing or unexpected:
        raise SystemExit(f'{folder}: missing {missing[:4]} unexpected {unexpected[:4]}')
    return module


def write_safetensors(path, named):
    header, blobs, offset = {}, [], 0
    for name, array in named:
        array = np.ascontiguousarray(array, dtype=np.float32)
        header[name] = {'dtype': 'F32', 'shape': list(array.shape), 'data_offsets': [offset, offset + array.nbytes]}
        offset += array.nbytes
        blobs.append(array.tobytes())
    text = json.dumps(header).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def main():
    counts = [int(a) for a in sys.argv[1:]]
    weights = os.path.normpath(os.path.join(HERE, '..'))
    steps = 4
    torch.set_num_threads(1)
    sys.meta_path.insert(0, tus._StubFinder())
    tus.install_packaging_if_missing()
    tus.patch_torch_for_diffusers()
    sys.path.insert(0, os.environ['DIFFUSERS_SRC'])
    checks = types.ModuleType('diffusers.dependency_versions_check')
    checks.dep_version_check = lambda *a, **k: None
    sys.modules['diffusers.dependency_versions_check'] = checks
    hellomeme_src = os.environ['HELLOMEME_SRC']
    install_shims(hellomeme_src)
    sys.path.insert(0, hellomeme_src)
    from diffusers.models.unets.unet_2d_condition import UNet2DConditionModel
    import diffusers.loaders as loaders
    from diffusers.loaders.lora_pipeline import StableDiffusionLoraLoaderMixin
    from diffusers.loaders.textual_inversion import TextualInversionLoaderMixin
    loaders.StableDiffusionLoraLoaderMixin = StableDiffusionLoraLoaderMixin
    loaders.TextualInversionLoaderMixin = TextualInversionLoaderMixin
    from diffusers.loaders.single_file import FromSingleFileMixin
    from diffusers.loaders.ip_adapter import IPAdapterMixin
    loaders.FromSingleFileMixin = FromSingleFileMixin
    loaders.IPAdapterMixin = IPAdapterMixin
    import diffusers.schedulers.scheduling_dpmsolver_multistep as dpm
    from hellomeme.models.hm3_denoising_3d import HM3Denoising3D
    from hellomeme.models.hm_adapters import HM5MotionAdapter, HM5ReferenceAdapter
    import hellomeme.models.hm_adapters as adapters
    from diffusers.models.attention_processor import IPAdapterAttnProcessor, IPAdapterAttnProcessor2_0
    adapters.IPAdapterAttnProcessor = IPAdapterAttnProcessor  # its import is gated on transformers there
    adapters.IPAdapterAttnProcessor2_0 = IPAdapterAttnProcessor2_0
    # The img2img module imports CLIP classes from transformers for annotations only: a placeholder during that import.
    placeholder = tus._StubModule('transformers')
    placeholder.__spec__ = importlib.machinery.ModuleSpec('transformers', None)
    sys.modules['transformers'] = placeholder
    from hellomeme.pipelines import pipline_hm5_video as pv
    del sys.modules['transformers']

    def config(folder):
        with open(os.path.join(weights, folder, 'config.json')) as f:
            return {k: v for k, v in json.load(f).items() if not k.startswith('_')}

    base = load(UNet2DConditionModel(**config('unet_base')), os.path.join(weights, 'unet_base')).eval()
    unet_ref = HM3Denoising3D.from_unet2d(base).eval()
    unet = HM3Denoising3D.from_unet2d(base)
    unet.insert_reference_adapter(load(HM5ReferenceAdapter(**config('hm5_reference')), os.path.join(weights, 'hm5_reference')))
    unet.insert_reference_adapter(load(HM5MotionAdapter(**config('hm5_motion')), os.path.join(weights, 'hm5_motion')))
    unet.eval()

    results = []
    for n_frames in counts:
        work = tempfile.mkdtemp()
        subprocess.run(['npx', 'tsx', os.path.join(HERE, 'unseen-inputs.ts'), str(n_frames), work], cwd=ROOT, check=True)
        latents = run_gen_video(pv, dpm, unet, unet_ref, os.path.join(work, 'inputs.safetensors'), os.path.join(work, 'noise.safetensors'), steps)
        print(json.dumps({'n': n_frames, 'shape': list(latents.shape), 'absmax': float(latents.abs().max())}))
        results.append((f'latents_n{n_frames}', latents.numpy()))
    write_safetensors(os.path.join(HERE, 'reference.safetensors'), results)


def run_gen_video(pv, dpm, unet, unet_ref, inputs_path, noise_path, steps):
    inputs = tensors(inputs_path)
    noise = tensors(noise_path)
    base_noise = inputs['base_noise']
    n = base_noise.shape[2] - 13
    control = {k[len('control.'):]: v for k, v in inputs.items() if k.startswith('control.')}
    control_dict = [{k: v[:, :, f:f + 1] for k, v in control.items()} for f in range(n)]
    cached_res = {k[len('ref_cache.'):]: v for k, v in inputs.items() if k.startswith('ref_cache.')}

    # Every DPM step's draw comes from the noise file: levels deepest first, steps in order.
    depths = sorted((int(k[5:-7]) for k in noise if k.endswith('.noises')), reverse=True)
    queue = [noise[f'depth{d}.noises'][s] for d in depths for s in range(steps)]

    def recorded(shape, generator=None, device=None, dtype=None, **_):
        draw = queue.pop(0)
        if tuple(draw.shape) != tuple(shape):
            raise SystemExit(f'draw {tuple(draw.shape)} for {tuple(shape)}')
        return draw

    dpm.randn_tensor = recorded

    class Progress:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *e):
            return False

        def update(self, *a):
            pass

        def set_description(self, *a):
            pass

    fake = types.SimpleNamespace(unet=unet, unet_ref=unet_ref, num_frames=12, do_classifier_free_guidance=True, guidance_scale=1.5, interrupt=False, cross_attention_kwargs=None, progress_bar=lambda total=None: Progress())
    fake.gen_video = types.MethodType(pv.HM5VideoPipeline.gen_video, fake)
    fake.gen_ref_cache = types.MethodType(pv.HM5VideoPipeline.gen_ref_cache, fake)
    more = {'device': 'cpu', 'timesteps': None, 'timestep_cond': None, 'sigmas': None, 'prompt_embeds': inputs['prompt_embeds'], 'cached_res': cached_res, 'added_cond_kwargs': None, 'extra_step_kwargs': {}}
    with torch.no_grad():
        latents = fake.gen_video(list(range(n)), {}, base_noise, 0, control_dict, steps, more)
    if queue:
        raise SystemExit(f'{len(queue)} recorded draws left over')
    return latents


if __name__ == '__main__':
    main()
