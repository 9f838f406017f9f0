#!/usr/bin/python3
"""Writes the HelloMeme input goldens (test/unit/pipeline/engines/hellomeme/inputs/*.test.ts) from HelloMeme's own code.

The reference is HelloVision/HelloMeme e0c7fe1, read from a checkout given by HELLOMEME_DIR; nothing of it is
committed. The functions that shape HelloMeme's inputs are loaded from that checkout at run time: the pure ones of
hellomeme/utils.py (crop_and_resize, warp_face_pd_fgc, umeyama, gen_control_heatmaps, draw_skl_by_rect,
image_preprocess, np_bgr_to_tensor, ff_change_fps) are compiled from their source by name (the module itself imports
diffusers and transformers, which are not needed here), hellomeme/tools/hello_3dmm.py and tools/utils.py are imported
as a package with onnxruntime stubbed, and the prompt is generator.py's own expression from Generator.video_generate.
Run once with Debian's python3-opencv 4.6, python3-numpy, python3-torch 1.13 and ffmpeg 5.1 on PATH:

    HELLOMEME_DIR=/path/to/HelloMeme /usr/bin/python3 test/golden/hellomeme_inputs/make_golden.py

Writes, next to this script (manifest.json says what each file holds and how it was made):
- crop.png, h3dmm_input.png, pdfgc_input.png: the reference crop of a fixture photo at full resolution, and the two
  aligned faces HelloMeme cuts from it (3DMM head pose input, PD-FGC expression input);
- pose_images.png: gen_control_heatmaps for a driver with trans_ratio 0 and 0.5 and for the reference, stacked;
- quads.png: draw_skl_by_rect on random quads (partly or wholly off the canvas, degenerate ones too), stacked;
- fps8_*.mp4: small clips whose frames carry their index as 16 black/white blocks, and the frame indices
  HelloMeme's fps8 path (ff_change_fps, then OpenCV decoding) keeps from each;
- cases.json: every number (landmarks in and out, matrices, translations, prompts, frame indices).
"""
import ast
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import types

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PHOTO = os.path.join(REPO, "test", "fixtures", "hellomeme", "reference_images", "show1.jpg")
ROOT = os.environ.get("HELLOMEME_DIR") or sys.exit("set HELLOMEME_DIR to a HelloMeme checkout (HelloVision/HelloMeme e0c7fe1)")


# ---------------------------------------------------------------- loading HelloMeme's code from the checkout

def functions_from(relpath, names, namespace):
    """Compiles the named top-level functions of a checkout file into `namespace` (no other statement runs)."""
    path = os.path.join(ROOT, relpath)
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    picked = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
    missing = set(names) - {node.name for node in picked}
    if missing:
        sys.exit(f"{relpath} has no {sorted(missing)}")
    exec(compile(ast.Module(body=picked, type_ignores=[]), path, "exec"), namespace)
    return namespace


def load_tools():
    """hellomeme/tools/{utils,hello_3dmm}.py as the package 'hm_tools' (onnxruntime stubbed: no model runs here)."""
    onnxruntime = types.ModuleType("onnxruntime")
    onnxruntime.InferenceSession = object  # only named in an annotation
    sys.modules["onnxruntime"] = onnxruntime
    tools = os.path.join(ROOT, "hellomeme", "tools")
    package = types.ModuleType("hm_tools")
    package.__path__ = [tools]
    sys.modules["hm_tools"] = package
    loaded = {}
    for name in ("utils", "hello_3dmm"):
        spec = importlib.util.spec_from_file_location(f"hm_tools.{name}", os.path.join(tools, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"hm_tools.{name}"] = module
        spec.loader.exec_module(module)
        loaded[name] = module
    return loaded


def video_prompt_expression():
    """The right-hand side of `prompt = ...` in Generator.video_generate, compiled as an expression."""
    path = os.path.join(ROOT, "generator.py")
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and cls.name == "Generator":
            for fn in cls.body:
                if isinstance(fn, ast.FunctionDef) and fn.name == "video_generate":
                    for node in ast.walk(fn):
                        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["prompt"]:
                            return compile(ast.Expression(body=node.value), path, "eval")
    sys.exit("generator.py: no `prompt = ...` in Generator.video_generate")


TOOLS = load_tools()
HM = functions_from(
    "hellomeme/utils.py",
    ["crop_and_resize", "warp_face_pd_fgc", "umeyama", "gen_control_heatmaps", "draw_skl_by_rect",
     "image_preprocess", "np_bgr_to_tensor", "ff_change_fps"],
    {"np": np, "cv2": cv2, "torch": torch, "subprocess": subprocess,
     "get_project_points_rect": TOOLS["hello_3dmm"].get_project_points_rect},
)


# ---------------------------------------------------------------- inputs (synthetic landmarks on a real photo)

def landmarks_222(pupils, nose_tip, mouth_corners, chin, face_left, face_right, seed):
    """222 points in HelloMeme's layout (contour 0-32, nose 33-47, brows 48-73, eyes 74-95 / 96-117, mouth 118-181,
    pupils 182-201 / 202-221) built around a few anchors, with sub-pixel jitter so no coordinate is round."""
    rng = np.random.default_rng(seed)
    pts = np.zeros((222, 2))
    (lx, ly), (rx, ry) = pupils
    eye_dist = rx - lx
    cx = (face_left[0] + face_right[0]) / 2
    # contour: from the left temple down round the chin to the right temple
    for i in range(33):
        a = np.pi * i / 32
        pts[i] = [cx - (cx - face_left[0]) * np.cos(a), face_left[1] + (chin[1] - face_left[1]) * np.sin(a)]
    for i in range(15):  # nose bridge to tip, then the nostrils
        t = i / 14
        pts[33 + i] = [nose_tip[0] + (i % 3 - 1) * 0.12 * eye_dist * t, ly + (nose_tip[1] - ly) * t]
    pts[36] = nose_tip
    for side, (px, py) in enumerate(pupils):  # brows
        for i in range(13):
            pts[48 + 13 * side + i] = [px - 0.35 * eye_dist + 0.7 * eye_dist * i / 12, py - 0.35 * eye_dist - 0.05 * eye_dist * np.sin(np.pi * i / 12)]
    for side, (px, py) in enumerate(pupils):  # eyes: an ellipse starting at the left corner
        for i in range(22):
            a = 2 * np.pi * i / 22
            pts[74 + 22 * side + i] = [px - 0.28 * eye_dist * np.cos(a), py - 0.1 * eye_dist * np.sin(a)]
    (mlx, mly), (mrx, mry) = mouth_corners
    mcx, mcy, half = (mlx + mrx) / 2, (mly + mry) / 2, (mrx - mlx) / 2
    for i in range(64):  # mouth: two ellipses, then the corners the code names
        a = 2 * np.pi * (i % 32) / 32
        scale = 1.0 if i < 32 else 0.6
        pts[118 + i] = [mcx - half * scale * np.cos(a), mcy - 0.3 * half * scale * np.sin(a)]
    pts[149] = mouth_corners[0]
    pts[133] = mouth_corners[1]
    for side, (px, py) in enumerate(pupils):  # pupils: the centre, then a ring
        pts[182 + 20 * side] = [px, py]
        for i in range(1, 20):
            a = 2 * np.pi * i / 19
            pts[182 + 20 * side + i] = [px + 0.08 * eye_dist * np.cos(a), py + 0.08 * eye_dist * np.sin(a)]
    return pts + rng.uniform(-0.45, 0.45, pts.shape)


# show1.jpg (1024²): anchors placed by eye on the photo's face
SHOW1 = landmarks_222(pupils=[(422.3, 432.6), (580.4, 431.2)], nose_tip=(515.2, 535.7), mouth_corners=[(452.6, 595.1), (567.3, 594.4)],
                      chin=(515.0, 661.3), face_left=(374.6, 440.2), face_right=(669.1, 439.5), seed=1)


def shifted(points, dx, dy, scale=1.0):
    centre = points.mean(axis=0)
    return (points - centre) * scale + centre + [dx, dy]


def rect_of(points_in, points_out, size=512):
    """The integer crop box crop_and_resize used, recovered from its landmark map out = (in - tl)·size/(br - tl)."""
    a, b = np.argmin(points_in[:, 0]), np.argmax(points_in[:, 0])
    c, d = np.argmin(points_in[:, 1]), np.argmax(points_in[:, 1])
    rx = (points_out[b, 0] - points_out[a, 0]) / (points_in[b, 0] - points_in[a, 0])
    ry = (points_out[d, 1] - points_out[c, 1]) / (points_in[d, 1] - points_in[c, 1])
    tl = [points_in[a, 0] - points_out[a, 0] / rx, points_in[c, 1] - points_out[c, 1] / ry]
    x0, y0 = int(round(tl[0])), int(round(tl[1]))
    return [x0, y0, x0 + int(round(size / rx)), y0 + int(round(size / ry))]


def bgr_to_png(path, image_bgr):
    cv2.imwrite(path, image_bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])


# ---------------------------------------------------------------- the cases

def crop_cases():
    photo = cv2.imread(PHOTO)  # BGR, as generator.py hands the reference to the toolkit
    frames, landmarks = HM["crop_and_resize"](np.stack([photo]), SHOW1[None], save_size=512, crop=True)
    bgr_to_png(os.path.join(HERE, "crop.png"), frames[0])
    reference = {
        "photo": "test/fixtures/hellomeme/reference_images/show1.jpg",
        "photo_size": [photo.shape[1], photo.shape[0]],
        "photo_rgb_sha256": hashlib.sha256(cv2.cvtColor(photo, cv2.COLOR_BGR2RGB).tobytes()).hexdigest(),
        "landmarks": SHOW1.tolist(),
        "crop_landmarks": landmarks[0].tolist(),
        "rect": rect_of(SHOW1, landmarks[0]),
        "crop_png": "crop.png",
    }
    # Landmarks only (frames of zeros): boxes pushed back inside the frame, and a clip's union box of moving faces.
    geometry = []
    for name, (width, height), clip in [
        ("near top-left", (640, 480), [shifted(SHOW1, -440, -420, 0.7)]),
        ("near bottom-right", (700, 520), [shifted(SHOW1, 130, 30, 0.55)]),
        ("larger than the frame", (300, 260), [shifted(SHOW1, -365, -350, 0.9)]),
        ("moving clip", (1280, 720), [shifted(SHOW1, 120 + 14 * f, -170 + 5 * f, 0.8 + 0.03 * f) for f in range(6)]),
    ]:
        stack = np.stack(clip)
        _, out = HM["crop_and_resize"](np.zeros((len(clip), height, width, 3), np.uint8), stack, save_size=512, crop=True)
        geometry.append({"name": name, "frame_size": [width, height], "landmarks": stack.tolist(), "crop_landmarks": out.tolist(), "rect": rect_of(stack[0], out[0])})
    return frames[0], landmarks[0], reference, geometry


class RecordingSession:
    """Stands in for hello_3dmm.onnx: records the network input and answers a fixed coefficient vector."""

    def __init__(self, coefficients):
        self.coefficients = coefficients
        self.inputs = None

    def get_inputs(self):
        return [types.SimpleNamespace(name="input")]

    def get_outputs(self):
        return [types.SimpleNamespace(name="coeffs")]

    def run(self, names, feeds):
        self.inputs = feeds["input"]
        return [self.coefficients]


def head_pose_case(crop_bgr, crop_landmarks):
    h3dmm = TOOLS["hello_3dmm"]
    coefficients = np.zeros((1, 1201), np.float32)
    coefficients[0, 1168:1171] = [0.12, -0.31, 0.07]
    coefficients[0, 1198:1201] = [0.031, -0.017, 2.9]
    session = RecordingSession(coefficients)
    h3dmm.download_file_from_cloud = lambda **_: "hello_3dmm.onnx"
    h3dmm.create_onnx_session = lambda *_args, **_kw: session
    model = h3dmm.Hello3DMMPred(gpu_id=None)
    rot, trans = model.forward_params(crop_bgr, crop_landmarks)
    network_input = session.inputs[0]  # 3×224×224 RGB in [0, 1]
    rgb = np.rint(network_input.transpose(1, 2, 0) * 255).astype(np.uint8)
    assert np.array_equal(rgb.astype(np.float32) / 255.0, network_input.transpose(1, 2, 0)), "the 3DMM input is not a whole-number image"
    bgr_to_png(os.path.join(HERE, "h3dmm_input.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    info = TOOLS["utils"].get_warp_mat_bbox_by_gt_pts_float(crop_landmarks, base_angle=0, dst_size=224, expand_ratio=0.35, return_info=True)
    return {
        "coefficients_angles": coefficients[0, 1168:1171].tolist(),
        "coefficients_translation": coefficients[0, 1198:1201].tolist(),
        "matrix": info["M"].reshape(-1).tolist(),
        "center": [float(info["center_x"]), float(info["center_y"])],
        "scale": float(info["scale"]),
        "rot": rot[0].tolist(),
        "trans": trans[0].tolist(),
        "input_png": "h3dmm_input.png",
    }


def pdfgc_case(crop_bgr, crop_landmarks):
    warped = HM["warp_face_pd_fgc"](crop_bgr, crop_landmarks, save_size=224)
    bgr_to_png(os.path.join(HERE, "pdfgc_input.png"), warped)
    tensor = HM["image_preprocess"](warped, (224, 224), torch.float32)
    png_rgb = cv2.cvtColor(warped, cv2.COLOR_BGR2RGB)
    assert torch.equal(tensor, torch.tensor(png_rgb / 255.0 * 2 - 1).permute(2, 0, 1).float()), "the PD-FGC tensor is not the image's px/255*2-1"
    src = crop_landmarks[[182, 202, 36, 149, 133]]
    dst = np.array([[0.3843, 0.27], [0.62, 0.2668], [0.503, 0.4185], [0.406, 0.5273], [0.5977, 0.525]]) * 224
    return {"matrix": HM["umeyama"](src, dst, True)[0:2].reshape(-1).tolist(), "input_png": "pdfgc_input.png"}


def pose_cases():
    """gen_control_heatmaps exactly as video_generate calls it (driver: trans_ratio 0 and 0.5; reference: 0)."""
    drive_rot = [np.array([a]) for a in [[0.0, 0.0, 0.0], [0.15, -0.3, 0.1], [-0.2, 0.25, -0.15], [0.05, 0.6, 0.3]]]
    drive_trans = [np.array([t]) for t in [[0.01, -0.02, -3.6], [0.03, 0.01, -3.3], [-0.02, -0.04, -4.1], [0.21, -0.12, -2.4]]]
    ref_rot = [np.array([[0.04, -0.08, 0.02]])]
    ref_trans = [np.array([[0.005, 0.01, -3.8]])]
    images, cases = [], []
    for name, rots, transes, ratio in [("driver, trans_ratio 0", drive_rot, drive_trans, 0.0), ("driver, trans_ratio 0.5", drive_rot, drive_trans, 0.5), ("reference", ref_rot, ref_trans, 0.0)]:
        heatmaps = HM["gen_control_heatmaps"](rots, transes, ref_trans[0], save_size=512, trans_ratio=ratio)  # [3, F, 512, 512] RGB in [-1, 1]
        frames = np.rint((heatmaps.permute(1, 2, 3, 0).numpy() + 1) / 2 * 255).astype(np.uint8)
        assert torch.equal(torch.tensor(frames / 255.0 * 2 - 1).permute(3, 0, 1, 2).float(), heatmaps), "pose heatmaps are not px/255*2-1"
        cases.append({"name": name, "rot": [r[0].tolist() for r in rots], "trans": [t[0].tolist() for t in transes], "trans_ratio": ratio, "first_row": len(images)})
        images.extend(cv2.cvtColor(f, cv2.COLOR_RGB2BGR) for f in frames)
    bgr_to_png(os.path.join(HERE, "pose_images.png"), np.concatenate(images, axis=0))
    return {"ref_trans": ref_trans[0][0].tolist(), "image_size": 512, "png": "pose_images.png", "cases": cases}


def quad_cases(count=12):
    rng = np.random.default_rng(7)
    rects, images = [], []
    for i in range(count):
        if i == count - 1:
            rect = np.array([[200.7, 200.2], [200.7, 200.2], [320.9, 260.5], [320.9, 260.5]])  # two pairs of equal points
        elif i == count - 2:
            rect = np.array([[-300.0, 100.0], [-40.0, 90.0], [-20.5, 600.0], [-280.0, 620.0]])  # wholly left of the canvas
        else:
            rect = rng.uniform(-120, 632, (4, 2))
        rects.append(rect.tolist())
        images.append(HM["draw_skl_by_rect"](512, rect))
    bgr_to_png(os.path.join(HERE, "quads.png"), np.concatenate(images, axis=0))
    return {"rects": rects, "image_size": 512, "png": "quads.png"}


def prompt_cases():
    config = json.load(open(os.path.join(ROOT, "hellomeme", "model_config.json"), encoding="utf-8"))
    expression = video_prompt_expression()
    return [{"prompt": p, "text": eval(expression, {"DEFAULT_PROMPT": config["prompt"], "prompt": p})} for p in ["", "a pirate captain, oil painting"]]


BLOCK = 16  # 64×64 frames, 4×4 blocks, block k white when bit k of the frame index is set


def index_frame(n):
    frame = np.zeros((64, 64, 3), np.uint8)
    for k in range(16):
        if (n >> k) & 1:
            frame[(k // 4) * BLOCK:(k // 4 + 1) * BLOCK, (k % 4) * BLOCK:(k % 4 + 1) * BLOCK] = 255
    return frame


def frame_index(frame):
    grey = frame.mean(axis=2)
    return sum(1 << k for k in range(16) if grey[(k // 4) * BLOCK + 4:(k // 4) * BLOCK + 12, (k % 4) * BLOCK + 4:(k % 4) * BLOCK + 12].mean() > 128)


def fps8_cases():
    cases = []
    for name, rate, count, vfr in [("15", "15", 70, False), ("30", "30", 140, False), ("29.97", "30000/1001", 140, False), ("25", "25", 117, False),
                                   ("24", "24", 100, False), ("12", "12", 50, False), ("6", "6", 28, False), ("vfr", "15", 66, True)]:
        clip = os.path.join(HERE, f"fps8_{name}.mp4")
        raw = b"".join(index_frame(n).tobytes() for n in range(count))
        # Irregular timestamps for the VFR clip: each frame lands up to ±0.4 of a 15 fps interval off its slot.
        timing = ["-vf", "setpts='(N+0.4*sin(N*1.7))/(15*TB)'", "-vsync", "vfr"] if vfr else []
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x64", "-r", rate, "-i", "-", *timing,
                        "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", clip], input=raw, check=True)
        decoded = []
        cap = cv2.VideoCapture(clip)
        ok, frame = cap.read()
        while ok:
            decoded.append(frame_index(frame))
            ok, frame = cap.read()
        assert decoded == list(range(count)), f"{clip}: the index blocks did not survive encoding"
        # HelloMeme's fps8 path (Generator.video_generate): ff_change_fps to 8 fps, then every frame OpenCV decodes.
        resampled = clip + ".fps8.mp4"
        HM["ff_change_fps"](clip, resampled, 8)
        kept = []
        cap = cv2.VideoCapture(resampled)
        ok, frame = cap.read()
        while ok:
            kept.append(frame_index(frame))
            ok, frame = cap.read()
        os.remove(resampled)
        cases.append({"clip": os.path.basename(clip), "source_rate": rate, "source_frames": count, "vfr": vfr, "fps8_frames": kept})
    return cases


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    crop, crop_landmarks, reference, geometry = crop_cases()
    cases = {
        "reference_crop": reference,
        "crop_geometry": geometry,
        "head_pose": head_pose_case(crop, crop_landmarks),
        "pd_fgc": pdfgc_case(crop, crop_landmarks),
        "pose_images": pose_cases(),
        "quads": quad_cases(),
        "prompts": prompt_cases(),
        "fps8": fps8_cases(),
    }
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f)
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    files = sorted(n for n in os.listdir(HERE) if n not in ("make_golden.py", "manifest.json"))
    manifest = {
        "reference": "HelloVision/HelloMeme e0c7fe1: hellomeme/utils.py, hellomeme/tools/hello_3dmm.py, hellomeme/tools/utils.py, generator.py",
        "versions": {"opencv": cv2.__version__, "numpy": np.__version__, "torch": torch.__version__, "ffmpeg": ffmpeg},
        "cases": {
            "reference_crop": "crop_and_resize([photo], [landmarks]) on the full-resolution fixture photo (BGR): crop.png is the 512² crop; rect is the integer box [x0, y0, x1, y1] recovered from the landmark map",
            "crop_geometry": "crop_and_resize on landmarks only (frames of zeros): boxes pushed back inside the frame, a box larger than the frame, one box for a moving clip",
            "head_pose": "Hello3DMMPred.forward_params on the crop with a recording stand-in for hello_3dmm.onnx answering the given angles and crop translation: h3dmm_input.png is what the network receives (RGB), rot/trans what it returns",
            "pd_fgc": "warp_face_pd_fgc(crop, crop_landmarks): pdfgc_input.png (its tensor is px/255*2-1, checked), matrix = umeyama(...)[0:2]",
            "pose_images": "gen_control_heatmaps(rot, trans, ref_trans, 512, trans_ratio) as video_generate calls it, one 512-row band per frame in pose_images.png (the tensor is px/255*2-1 of the RGB image, checked)",
            "quads": "draw_skl_by_rect(512, rect) for random and degenerate quads, one band each in quads.png",
            "prompts": "generator.py's `prompt = DEFAULT_PROMPT if prompt == '' else prompt + \", \" + DEFAULT_PROMPT`, evaluated from its source",
            "fps8": "ff_change_fps(clip, out, 8), then the frames OpenCV decodes from out, as frame indices of the source clip",
        },
        "files": {name: sha256(os.path.join(HERE, name)) for name in files},
    }
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in os.listdir(HERE))
    print(f"wrote {len(files)} files, {total / 1024:.0f} KiB in all")


if __name__ == "__main__":
    main()
