#!/usr/bin/env python3
"""The GPU device check (scripts/device/README.md). With what prepare.ts put in .gpu-check/:
1. numerics: every tiny-golden graph of the webgpu target on the GPU, against its fp32 golden (tolerance 1e-2);
2. WebGPU timings (ort-runner, onnxruntime-node's own library): one denoiser call on a 12-frame CFG window with
   reference and control features, one reference pass, one VAE decode of 12 frames, fp16, random weights;
3. the same calls in PyTorch on the same GPU through diffusers 0.33.1 and HelloMeme's own modules (random weights,
   torch.cuda.synchronize() around each timing);
4. both side by side, their ratio, and the extrapolated time of a 4 s meme at 8 fps and 25 steps.
Runs on the device's Python 3.12 + torch; `--torch-device cpu --scale-check` exercises it on any machine."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time
import types

import numpy as np

TOL = 1e-2


def log(*parts):
    print(*parts, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--carry", default=".gpu-check", help="the folder prepare.ts wrote")
    p.add_argument("--out", default=os.environ.get("OUT", "/tmp/gpu-check-out"), help="where results.json goes")
    p.add_argument("--ep", default="webgpu", choices=["webgpu", "cpu"], help="execution provider for ort-runner")
    p.add_argument("--runs", type=int, default=3, help="timed runs per call, after one warm-up")
    p.add_argument("--torch-device", default="cuda", help="cuda on the device; cpu for a check elsewhere")
    p.add_argument("--torch-dtype", default="float16", choices=["float16", "float32"])
    p.add_argument("--skip", default="", help="comma list of stages to skip: tiny,webgpu,torch")
    p.add_argument("--runner-timeout", type=int, default=300, help="seconds per ort-runner call")
    return p.parse_args(argv)


# ---------------------------------------------------------------- ort-runner

def run_runner(args, model, feeds_txt, out_dir, runs, cwd):
    cmd = [os.path.join(args.carry, "runtime", "ort-runner"), model, args.ep, feeds_txt, out_dir, str(runs)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=args.runner_timeout)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"ort-runner exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    result = {"session_ms": None, "run_ms": [], "outputs": [], "wall_s": wall}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "session_ms":
            result["session_ms"] = float(parts[1])
        elif parts[0] == "run_ms":
            result["run_ms"].append(float(parts[1]))
        elif parts[0] == "output":
            result["outputs"].append(line)
    return result


def tiny_numerics(args, plan):
    rows = []
    for name in plan["tiny"]:
        case = os.path.abspath(os.path.join(args.carry, "models", "tiny", name))
        out_dir = os.path.abspath(os.path.join(args.out, "tiny", name))
        os.makedirs(out_dir, exist_ok=True)
        try:
            run = run_runner(args, os.path.join(case, "model.onnx"), "feeds.txt", out_dir, 0, case)
            expected = json.load(open(os.path.join(case, "expected.json")))
            errors = {}
            for out, dims in expected["outputs"].items():
                ref = np.fromfile(os.path.join(case, "expected", f"{out}.bin"), dtype=np.float32)
                got = np.fromfile(os.path.join(out_dir, f"{out}.bin"), dtype=np.float32)
                errors[out] = float(np.max(np.abs(ref - got))) if got.size == ref.size else float("inf")
            worst = max(errors.values())
            rows.append({"case": name, "floatType": expected["floatType"], "max_error": worst, "errors": errors, "session_ms": run["session_ms"]})
            log(f"  {name:<20} {expected['floatType']:<8} max |err| {worst:.2e} {'ok' if worst <= TOL else 'BEYOND 1e-2'}  ({', '.join(f'{k} {v:.1e}' for k, v in errors.items())})")
        except Exception as e:  # report and go on: the timings are still worth having
            rows.append({"case": name, "error": str(e)})
            log(f"  {name:<20} FAILED: {str(e)[-600:]}")
    return rows


def fill_weights(graph_dir, seed, use_torch):
    """Random weights where prepare.ts left them out: norms ~1 + 0.1N, biases 0.05N, others N(0, 1/fan_in)."""
    spec = json.load(open(os.path.join(graph_dir, "weights.json")))
    path = os.path.join(graph_dir, spec["location"])
    t = time.perf_counter()
    data = np.memmap(path, dtype=np.uint8, mode="w+", shape=(max(spec["bytes"], 1),))
    torch = None
    if use_torch:
        import torch  # noqa: F811  (fast normals on the GPU)
    rng = np.random.default_rng(seed)
    for i, w in enumerate(spec["tensors"]):
        n = int(np.prod(w["shape"])) if w["shape"] else 1
        name = w["name"]
        if name.endswith("bias"):
            scale, offset = 0.05, 0.0
        elif len(w["shape"]) == 1:
            scale, offset = 0.1, 1.0
        else:
            scale, offset = 1.0 / np.sqrt(max(1, n // max(1, w["shape"][0]))), 0.0
        if torch is not None and torch.cuda.is_available():
            g = torch.Generator(device="cuda").manual_seed(seed + i)
            values = (torch.randn(n, generator=g, device="cuda") * scale + offset).cpu().numpy()
        else:
            values = rng.standard_normal(n, dtype=np.float32) * np.float32(scale) + np.float32(offset)
        raw = values.astype(np.float16 if w["dtype"] == "float16" else np.float32).tobytes()
        data[w["offset"]:w["offset"] + len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    data.flush()
    del data
    return time.perf_counter() - t, spec["bytes"]


def random_feeds(graph_dir, inputs, seed):
    """Feeds of the bound shapes: latents and features N(0, 1), the timestep 999 (the first of 25 steps)."""
    rng = np.random.default_rng(seed)
    feed_dir = os.path.join(graph_dir, "feeds")
    os.makedirs(feed_dir, exist_ok=True)
    lines = []
    for io in inputs:
        dims = io["dims"]
        n = int(np.prod(dims))
        values = np.full(n, 999.0, np.float32) if io["name"] == "timestep" else rng.standard_normal(n, dtype=np.float32)
        values.tofile(os.path.join(feed_dir, f"{io['name']}.bin"))
        lines.append(f"{io['name']} f32 {','.join(str(d) for d in dims)} feeds/{io['name']}.bin")
    open(os.path.join(graph_dir, "feeds.txt"), "w").write("\n".join(lines) + "\n")


def webgpu_timings(args, plan, use_torch_rng):
    rows = {}
    for i, (name, graph) in enumerate(plan["graphs"].items()):
        graph_dir = os.path.abspath(os.path.join(args.carry, "models", "full", name))
        made_s, made_bytes = fill_weights(graph_dir, 1000 * (i + 1), use_torch_rng)
        random_feeds(graph_dir, graph["inputs"], 7 + i)
        log(f"  {name}: {made_bytes / 2**30:.2f} GiB of random {graph['floatType']} weights made in {made_s:.1f} s")
        try:
            run = run_runner(args, os.path.join(graph_dir, "model.onnx"), "feeds.txt", "-", args.runs, graph_dir)
            timed = run["run_ms"][1:] or run["run_ms"]
            rows[name] = {"session_ms": run["session_ms"], "warmup_ms": run["run_ms"][0], "runs_ms": timed, "median_ms": statistics.median(timed), "outputs": run["outputs"]}
            log(f"  {name}: session {run['session_ms'] / 1000:.1f} s, warm-up {run['run_ms'][0]:.0f} ms, runs {', '.join(f'{v:.0f}' for v in timed)} ms; {'; '.join(run['outputs'])}")
        except Exception as e:
            rows[name] = {"error": str(e)}
            log(f"  {name}: FAILED: {str(e)[-1500:]}")
        finally:
            os.remove(os.path.join(graph_dir, "model.onnx.data"))
    return rows


# ---------------------------------------------------------------- PyTorch

def unpack_sources(args):
    root = os.path.join(args.out, "python-src")
    for name in ("diffusers-0.33.1.tar.xz", "hellomeme-models.tar.xz"):
        target = os.path.join(root, name.split("-")[0])
        if not os.path.isdir(target):
            with tarfile.open(os.path.join(args.carry, "python", name)) as tar:
                tar.extractall(target)
    return os.path.join(root, "diffusers", "src"), os.path.join(root, "hellomeme")


def import_models(diffusers_src, hellomeme_root):
    """diffusers 0.33.1 and hellomeme.models, without hellomeme/__init__ (its pipelines pull the app's dependencies)."""
    sys.path.insert(0, diffusers_src)
    import torch

    shims = []
    for dtype in ("float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64"):  # torch < 2.3 (the local check only)
        if not hasattr(torch, dtype):
            setattr(torch, dtype, torch.float32)
            shims.append(f"torch.{dtype}")
    import diffusers

    try:
        from diffusers import StableDiffusionImg2ImgPipeline  # noqa: F401  (hm_adapters subclasses it)
    except Exception as e:  # no transformers: HMPipeline is not used here, the model classes are
        diffusers.StableDiffusionImg2ImgPipeline = type("StableDiffusionImg2ImgPipeline", (object,), {})
        shims.append(f"StableDiffusionImg2ImgPipeline stand-in ({type(e).__name__})")
    package = types.ModuleType("hellomeme")
    package.__path__ = [os.path.join(hellomeme_root, "hellomeme")]
    sys.modules["hellomeme"] = package
    import hellomeme.models as hm

    return torch, diffusers, hm, shims


def cuda_time(torch, fn, runs, device):
    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    sync()
    t = time.perf_counter()
    fn()
    sync()
    warmup = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(runs):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t) * 1000)
    return {"warmup_ms": warmup, "runs_ms": times, "median_ms": statistics.median(times)}


def torch_timings(args, plan):
    diffusers_src, hellomeme_root = unpack_sources(args)
    torch, diffusers, hm, shims = import_models(diffusers_src, hellomeme_root)
    device, dtype = args.torch_device, getattr(torch, args.torch_dtype)
    log(f"  torch {torch.__version__}, diffusers {diffusers.__version__}, device {device} {dtype}{', shims: ' + ', '.join(shims) if shims else ''}")
    torch.manual_seed(0)
    ch = plan["unet"]["block_out_channels"]
    down, up = list(ch), [ch[3], ch[3], ch[2], ch[1]]
    t = time.perf_counter()
    # Parameters made where they run (torch >= 2.0): random init on the GPU takes seconds, on the CPU minutes.
    if hasattr(torch, "set_default_device"):
        torch.set_default_device(device)
    unet2d = diffusers.UNet2DConditionModel(**plan["unet"])
    unet = hm.HM3Denoising3D.from_unet2d(unet2d)
    unet.insert_reference_adapter(hm.HM5ReferenceAdapter(block_down_channels=down, block_up_channels=up))
    unet.insert_reference_adapter(hm.HM5MotionAdapter(block_down_channels=down, block_up_channels=up))
    unet_ref = hm.HM3Denoising3D.from_unet2d(unet2d)
    vae = diffusers.AutoencoderKL(**plan["vae"])
    del unet2d
    if hasattr(torch, "set_default_device"):
        torch.set_default_device("cpu")
    for m in (unet, unet_ref, vae):
        m.to(device=device, dtype=dtype).eval()
    log(f"  modules built (random weights) in {time.perf_counter() - t:.1f} s")

    shapes = plan["shapes"]
    dims = {io["name"]: io["dims"] for io in plan["graphs"]["hm5-denoise"]["inputs"]}
    randn = lambda shape: torch.randn(*shape, device=device, dtype=dtype)  # noqa: E731
    text = randn(dims["encoder_hidden_states"])
    rows = {}
    with torch.no_grad():
        latent = randn([2, 4, 1, shapes["latent"], shapes["latent"]])
        ref_call = lambda: unet_ref(latent, 0, encoder_hidden_states=text, return_dict=False)[1]  # noqa: E731
        reference = ref_call()
        rows["hm5-reference"] = cuda_time(torch, ref_call, args.runs, device)
        control = {k.split(".", 1)[1]: randn(d) for k, d in dims.items() if k.startswith("control.")}
        window = randn(dims["latent_model_input"])
        t_step = torch.tensor([999.0], device=device)
        denoise = lambda: unet(window, t_step, encoder_hidden_states=text, reference_hidden_states=reference, control_hidden_states=control, motion_pad_hidden_states=None, use_motion=True, return_dict=False)[0]  # noqa: E731
        out = denoise()
        assert list(out.shape) == dims["latent_model_input"], f"noise_pred {list(out.shape)}"
        rows["hm5-denoise"] = cuda_time(torch, denoise, args.runs, device)
        z = randn([shapes["decodeFrames"], 4, shapes["latent"], shapes["latent"]])
        rows["vae-decoder"] = cuda_time(torch, lambda: vae.decode(z).sample, args.runs, device)
    for name, row in rows.items():
        log(f"  {name}: warm-up {row['warmup_ms']:.0f} ms, runs {', '.join(f'{v:.1f}' for v in row['runs_ms'])} ms")
    log("  (HelloMeme's reference pass runs the whole UNet; the graph stops at the last up-block input it caches)")
    return rows


# ---------------------------------------------------------------- report

def meme_seconds(plan, t):
    """A 4 s meme: each denoiser call scaled by its chunk length over the 12-frame window, every reference pass,
    and the decode of every frame (control net and CLIP are not timed here)."""
    m, window = plan["meme"], plan["shapes"]["frames"]
    denoise = m["steps"] * sum(t["hm5-denoise"] * f / window for f in m["chunkFrames"])
    reference = m["referencePasses"] * t["hm5-reference"]
    decode = m["decodedFrames"] / plan["shapes"]["decodeFrames"] * t["vae-decoder"]
    return (denoise + reference + decode) / 1000, {"denoise_s": denoise / 1000, "reference_s": reference / 1000, "decode_s": decode / 1000}


def report(plan, webgpu, torch_rows, ep, torch_label):
    side = "WebGPU" if ep == "webgpu" else "ORT CPU EP"
    lines = [f"| call | {side}, fp16 graphs (ORT 1.30) | PyTorch {torch_label} | {side} / PyTorch |", "| --- | ---: | ---: | ---: |"]
    medians = {}
    for name, label in (("hm5-denoise", f"denoiser, {plan['shapes']['frames']}-frame window, CFG"), ("hm5-reference", "reference pass (fp32 on WebGPU)"), ("vae-decoder", f"VAE decode, {plan['shapes']['decodeFrames']} frames")):
        w = webgpu.get(name, {}).get("median_ms")
        p = torch_rows.get(name, {}).get("median_ms")
        medians.setdefault("webgpu", {})[name] = w
        medians.setdefault("torch", {})[name] = p
        ratio = f"{w / p:.2f}×" if w and p else "—"
        lines.append(f"| {label} | {f'{w:.0f} ms' if w else 'failed'} | {f'{p:.0f} ms' if p else 'failed'} | {ratio} |")
    meme = {}
    for side in ("webgpu", "torch"):
        if all(medians[side].values()):
            total, parts = meme_seconds(plan, medians[side])
            meme[side] = {"total_s": total, **parts}
    m = plan["meme"]
    if meme:
        lines.append("")
        lines.append(f"A {m['seconds']} s meme at {m['fps']} fps ({m['frames']} frames), {m['steps']} steps: {m['denoiserCallsPerStep']} denoiser calls a step (chunks {m['chunkFrames']}), {m['referencePasses']} reference passes, {m['decodedFrames']} decoded frames:")
        for side, v in meme.items():
            lines.append(f"  {side}: {v['total_s']:.1f} s (denoiser {v['denoise_s']:.1f} s, reference {v['reference_s']:.1f} s, decode {v['decode_s']:.1f} s)")
        if len(meme) == 2:
            lines.append(f"  ratio WebGPU / PyTorch: {meme['webgpu']['total_s'] / meme['torch']['total_s']:.2f}×")
    return "\n".join(lines), meme


def main(argv=None):
    args = parse_args(argv)
    args.carry = os.path.abspath(args.carry)
    os.makedirs(args.out, exist_ok=True)
    plan = json.load(open(os.path.join(args.carry, "plan.json")))
    skip = set(filter(None, args.skip.split(",")))
    results = {"scale": plan["scale"], "ep": args.ep, "shapes": plan["shapes"]}
    started = time.perf_counter()
    if "tiny" not in skip:
        log(f"[1/3] webgpu-target graphs of the tiny goldens on {args.ep} (tolerance {TOL})")
        results["tiny"] = tiny_numerics(args, plan)
    webgpu = {}
    if "webgpu" not in skip:
        log(f"[2/3] {plan['scale']}-size calls on {args.ep} (ort-runner, {args.runs} timed runs after a warm-up)")
        webgpu = webgpu_timings(args, plan, use_torch_rng=args.torch_device == "cuda")
        results["webgpu"] = webgpu
    torch_rows = {}
    if "torch" not in skip:
        log(f"[3/3] the same calls in PyTorch ({args.torch_device}, {args.torch_dtype}) with diffusers 0.33.1 and HelloMeme's modules")
        try:
            torch_rows = torch_timings(args, plan)
        except Exception as e:
            import traceback

            traceback.print_exc()
            torch_rows = {"error": f"{type(e).__name__}: {e}"}
        results["torch"] = torch_rows
    table, meme = report(plan, webgpu, torch_rows if "error" not in torch_rows else {}, args.ep, f"{args.torch_dtype} on {args.torch_device}")
    results["meme"] = meme
    log("")
    log(table)
    log(f"\ncheck finished in {time.perf_counter() - started:.0f} s")
    json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
