#!/usr/bin/python3
"""Writes the tiny Real-ESRGAN x2 golden (test/graph/esrgan/esrgan-golden.test.ts) from HelloMeme's own code.

The reference is HelloMeme's hellomeme/tools/sr.py (RRDBNet and RealESRGANer, adapted from Real-ESRGAN), loaded
from a checkout given by HELLOMEME_DIR; nothing of it is committed. Run once with Debian's python3-torch 1.13 and
python3-opencv:

    HELLOMEME_DIR=/path/to/HelloMeme /usr/bin/python3 test/golden/esrgan_x2_tiny/make_golden.py

Writes, next to this script:
- weights.pth: {'params_ema': state_dict} of a tiny RRDBNet(scale=2, num_feat=8, num_block=2, num_grow_ch=4), saved by
  torch.save as RealESRGANer loads it (the graph test reads it with the project's .pth reader).
- tensors.safetensors: `input` [1,3,24,20] and the network's `output` [1,3,48,40]; an RGB uint8 `image` [21,17,3]
  (odd sizes: the reflect pre-pad of 10 and the pad-to-even both act) and what HelloMeme's generator makes of it:
  `enhanced` [42,34,3] uint8 (RGB -> BGR -> RealESRGANer.enhance(outscale=2) -> RGB, as in generator.py), and
  `enhanced_float` [1,3,42,34], the float output after the padding is cropped, before clamping and rounding.
- manifest.json: the config and how each tensor was made.
"""
import importlib.util
import json
import os
import struct
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = {"num_in_ch": 3, "num_out_ch": 3, "scale": 2, "num_feat": 8, "num_block": 2, "num_grow_ch": 4}


def load_hellomeme_sr():
    root = os.environ.get("HELLOMEME_DIR")
    if not root:
        sys.exit("set HELLOMEME_DIR to a HelloMeme checkout (HelloVision/HelloMeme)")
    tools = os.path.join(root, "hellomeme", "tools")
    # sr.py only needs download_file_from_cloud from its package's utils (to fetch real weights); stub it.
    package = types.ModuleType("hm_tools")
    package.__path__ = [tools]
    utils = types.ModuleType("hm_tools.utils")

    def no_download(**_):
        raise RuntimeError("the golden uses its own tiny weights")

    utils.download_file_from_cloud = no_download
    sys.modules["hm_tools"] = package
    sys.modules["hm_tools.utils"] = utils
    spec = importlib.util.spec_from_file_location("hm_tools.sr", os.path.join(tools, "sr.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        dtype = {np.dtype("float32"): "F32", np.dtype("uint8"): "U8"}[array.dtype]
        blob = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    sr = load_hellomeme_sr()
    torch.manual_seed(0)
    model = sr.RRDBNet(**CONFIG)
    with torch.no_grad():
        # torch's default init shrinks activations so much that the trunk moves the output by < 1e-4 (below the
        # tolerance); doubling every conv weight makes each RDB count (zeroing the last conv5 moves it by ~0.05).
        for name, param in model.named_parameters():
            if name.endswith("weight"):
                param.mul_(2)
        # Centre the output on mid-grey so the uint8 path keeps most values inside [0, 1].
        model.conv_last.bias.add_(0.5)
    model.eval()
    torch.save({"params_ema": model.state_dict()}, os.path.join(HERE, "weights.pth"))

    x = torch.rand(1, 3, 24, 20, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)

    # RealESRGANer exactly as generator.py uses it (scale 2, pre_pad 10, no tiling), on CPU in fp32.
    upsampler = object.__new__(sr.RealESRGANer)
    upsampler.scale, upsampler.tile_size, upsampler.tile_pad, upsampler.pre_pad = 2, 0, 10, 10
    upsampler.mod_scale, upsampler.half, upsampler.device, upsampler.model = None, False, torch.device("cpu"), model
    rgb = np.random.default_rng(2).integers(0, 256, size=(21, 17, 3), dtype=np.uint8)
    enhanced_bgr, mode = upsampler.enhance(rgb[:, :, ::-1].copy(), outscale=2)
    assert mode == "RGB"
    enhanced = np.ascontiguousarray(enhanced_bgr[:, :, ::-1])
    # The float output enhance() rounds: run its steps again and keep the cropped output before the clamp.
    img = rgb.astype(np.float32) / 255
    upsampler.pre_process(img)
    with torch.no_grad():
        upsampler.process()
    enhanced_float = upsampler.post_process().float().numpy()

    write_safetensors(os.path.join(HERE, "tensors.safetensors"), {
        "input": x.numpy(),
        "output": y.numpy(),
        "image": rgb,
        "enhanced": enhanced,
        "enhanced_float": enhanced_float,
    })
    manifest = {
        "reference": "HelloVision/HelloMeme e0c7fe1 hellomeme/tools/sr.py (RRDBNet, RealESRGANer), torch " + torch.__version__,
        "config": CONFIG,
        "weights": "weights.pth: {'params_ema': state_dict}, torch default init (seed 0), conv weights x2, conv_last.bias + 0.5",
        "tensors": {
            "input": "[1,3,24,20] uniform [0,1) (seed 1)",
            "output": "RRDBNet(input), float32",
            "image": "[21,17,3] RGB uint8 (numpy seed 2)",
            "enhanced": "[42,34,3] RGB uint8: generator.py's path (RGB->BGR, RealESRGANer.enhance(outscale=2), BGR->RGB)",
            "enhanced_float": "[1,3,42,34] the network output on the reflect-padded image, padding cropped, before clamp and round",
        },
        "tolerance": {"output": 1e-4, "enhanced_float": 1e-4, "enhanced": "equal except where enhanced_float*255 sits within 1e-3 of a .5 rounding edge"},
        "output_range": [float(y.min()), float(y.max())],
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
