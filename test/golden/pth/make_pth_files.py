#!/usr/bin/python3
"""Writes the small .pth files the restricted unpickler is tested on (test/graph/pth-checkpoint.test.ts).

Run once with Debian's python3-torch 1.13 (`/usr/bin/python3 test/golden/pth/make_pth_files.py`); the files and
expected.json are committed, so neither the product nor CI needs Python.

- state_{zip,legacy}.pth: a Real-ESRGAN-style checkpoint {'params': state_dict, 'params_ema': state_dict} of a tiny
  conv + batch-norm module (OrderedDicts with _metadata, an int64 0-dim counter), in the zip format (torch >= 1.6)
  and the legacy non-zip format.
- tensors_{zip,legacy}.pth: assorted tensors (fp16, fp64, bf16, int64, bool, 0-dim, empty, a transposed view, two
  views into one storage, an nn.Parameter) and plain values (int, big int, float, str, tuple, list, None, bools).
- evil_*.pth: checkpoints that would run code on torch.load: os.system (pickled as posix.system), builtins.eval,
  a REDUCE on an unlisted callable that looks harmless (torch.serialization.load), the same hidden deep inside a
  nested structure, protocol 4 (STACK_GLOBAL) with builtins.exec, and the legacy format. Writing them runs nothing:
  __reduce__ only names the callable. Never torch.load them.
"""
import collections
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class Runs:
    """Pickles as `callable(*args)`: what a malicious checkpoint embeds."""

    def __init__(self, fn, *args):
        self.fn = fn
        self.args = args

    def __reduce__(self):
        return (self.fn, self.args)


def tiny_state_dict(seed):
    torch.manual_seed(seed)
    module = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    with torch.no_grad():
        module[1].running_mean.normal_()
        module[1].running_var.uniform_(0.5, 2)
        module[1].num_batches_tracked.fill_(7)
    return module.state_dict()


def assorted():
    torch.manual_seed(3)
    base = torch.arange(12, dtype=torch.float32) / 4
    matrix = torch.randn(3, 5)
    tensors = collections.OrderedDict()
    tensors["f32"] = torch.randn(2, 3)
    tensors["f16"] = torch.randn(4).half()
    tensors["f64"] = torch.randn(2, 2).double()
    tensors["bf16"] = torch.tensor([1.5, -2.25, 3.0e5], dtype=torch.bfloat16)
    tensors["i64"] = torch.tensor([[-3, 2**40], [5, 0]], dtype=torch.int64)
    tensors["bool"] = torch.tensor([True, False, True])
    tensors["scalar"] = torch.tensor(2.5)
    tensors["empty"] = torch.zeros(0, 3)
    tensors["transposed"] = matrix.t()  # non-contiguous: strides (1, 5)
    tensors["view_a"] = base[2:8].view(2, 3)  # storage offset 2, shared storage
    tensors["view_b"] = base[1::3]  # offset 1, stride 3
    tensors["param"] = torch.nn.Parameter(torch.randn(3))
    meta = {"epoch": 3, "lr": 0.5, "name": "tiny", "flags": (True, False, None), "big": 2**70, "neg": -(2**40), "list": [1, 2.5, "x"]}
    return {"tensors": tensors, "meta": meta}


def expected_of(tensors):
    out = {}
    for name, t in tensors.items():
        t = t.detach()
        kind = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.bfloat16: "BF16", torch.int64: "I64", torch.bool: "BOOL"}[t.dtype]
        values = t.float().flatten().tolist() if t.dtype != torch.int64 else [str(v) for v in t.flatten().tolist()]
        out[name] = {"dtype": kind, "shape": list(t.shape), "values": values}
    return out


def save(obj, name, **kwargs):
    torch.save(obj, os.path.join(HERE, name), **kwargs)


def main():
    checkpoint = {"params": tiny_state_dict(1), "params_ema": tiny_state_dict(2)}
    save(checkpoint, "state_zip.pth")
    save(checkpoint, "state_legacy.pth", _use_new_zipfile_serialization=False)
    data = assorted()
    save(data, "tensors_zip.pth")
    save(data, "tensors_legacy.pth", _use_new_zipfile_serialization=False)

    weights = {"params_ema": tiny_state_dict(4)}
    shell = "echo pwned > /tmp/memeloom-pwned"
    save({**weights, "x": Runs(os.system, shell)}, "evil_os_system.pth")
    save({**weights, "x": Runs(eval, "__import__('os').system('echo pwned')")}, "evil_eval.pth")
    save({**weights, "x": Runs(torch.load, "/etc/passwd")}, "evil_reduce_unknown.pth")
    save({**weights, "meta": [(1, {"deep": [2, Runs(os.system, shell)]})]}, "evil_nested.pth")
    save({**weights, "x": Runs(exec, "import os")}, "evil_protocol4.pth", pickle_protocol=4)
    save({**weights, "x": Runs(os.system, shell)}, "evil_legacy.pth", _use_new_zipfile_serialization=False)

    expected = {
        "state": {key: expected_of(sd) for key, sd in checkpoint.items()},
        "tensors": expected_of(data["tensors"]),
        "meta": {**data["meta"], "big": str(2**70), "flags": [True, False, None]},
        "evil": {
            "evil_os_system.pth": f"{os.system.__module__}.system",
            "evil_eval.pth": "__builtin__.eval",  # protocol 2 writes Python 3 builtins under their Python 2 name
            "evil_reduce_unknown.pth": "torch.serialization.load",
            "evil_nested.pth": f"{os.system.__module__}.system",
            "evil_protocol4.pth": "builtins.exec",
            "evil_legacy.pth": f"{os.system.__module__}.system",
        },
        "torch": torch.__version__,
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
