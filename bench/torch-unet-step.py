#!/usr/bin/env python3
# Throwaway comparison for `npm run bench:graph`: the same full-size SD1.5 UNet step in diffusers 0.33.1's
# UNet2DConditionModel on Debian's python3-torch (1.13), with the same random weights and inputs as the ONNX
# Runtime session. Not part of the product or the tests. Reads the diffusers source checkout from DIFFUSERS_SRC
# (its `src` folder); needs only torch and numpy: the hub, safetensors and download helpers diffusers imports at
# load time are stubbed (nothing here downloads), and torch 1.13 gets the few names diffusers 0.33 expects.
# Threads: TORCH_THREADS (bench/torch-comparison.ts passes the same count ORT gets).
#
# Protocol (stdin/stdout, one JSON object per line): after loading it prints {"ready": ..., "load_s": ...}; each
# "step" line runs one forward pass and prints {"step_s": ..., "cpu_s": ..., "peak_rss_bytes": ..., "absmax": ...}; "profile" runs one
# under torch's autograd profiler and prints {"ops": [{"op", "self_s", "count"}, ...]} (self CPU time per aten op, the
# wall time on the calling thread, as ORT's node times are); "out PATH" writes the last output as raw float32; "quit"
# exits.
import importlib.abc
import importlib.machinery
import json
import os
import resource
import struct
import sys
import time
import types

import numpy as np
import torch

STUBBED_ROOTS = ('huggingface_hub', 'safetensors', 'filelock', 'regex', 'tqdm', 'importlib_metadata')


class _Anything(str):
    """A stand-in for any stubbed name: a string (paths, URLs), a callable (decorators, functions) and a class."""

    def __new__(cls, name='stub'):
        return super().__new__(cls, os.path.join('/nonexistent', name))

    def __call__(self, *args, **kwargs):
        # Used as a decorator: hand the decorated function back unchanged.
        return args[0] if len(args) == 1 and callable(args[0]) and not kwargs else _Anything()

    def __getattr__(self, name):
        return _Anything(name)

    def __mro_entries__(self, bases):
        return (object,)


def _stub_function(*args, **kwargs):
    # Used as a decorator: hand the decorated function back unchanged; anything else gets a placeholder.
    return args[0] if len(args) == 1 and callable(args[0]) and not kwargs else _Anything()


class _StubModule(types.ModuleType):
    """UPPER_CASE names are path-like strings, CamelCase names classes (exceptions for *Error), the rest functions."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        if name.isupper():
            value = _Anything(name)
        elif name[:1].isupper():
            base = Exception if name.endswith(('Error', 'Exception', 'Warning')) else object
            value = type(name, (base,), {'__init__': lambda self, *a, **k: None} if base is object else {})
        else:
            value = _stub_function
        setattr(self, name, value)
        return value


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves a lenient module for a stubbed package (and any submodule) that is not installed."""

    def find_spec(self, fullname, path, target=None):
        root = fullname.split('.')[0]
        if root not in STUBBED_ROOTS:
            return None
        if fullname == root:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, 'find_spec'):
                    continue
                if finder.find_spec(fullname, path, target) is not None:
                    return None  # really installed: use it
        elif root in sys.modules and not isinstance(sys.modules[root], _StubModule):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        module.__version__ = '999.0.0'
        return module

    def exec_module(self, module):
        pass


class _Version:
    """packaging.version.Version for the comparisons diffusers makes (release numbers; pre/dev tags sort first)."""

    def __init__(self, text):
        import re

        self.public = str(text)
        match = re.match(r'\s*v?(\d+(?:\.\d+)*)(.*)', self.public)
        numbers = [int(n) for n in match.group(1).split('.')] if match else [0]
        self.release = tuple(numbers)
        self.base_version = '.'.join(map(str, numbers))
        self.major, self.minor, self.micro = (numbers + [0, 0, 0])[:3]
        tail = match.group(2) if match else ''
        self.is_prerelease = bool(tail) and not tail.startswith(('+', '.post'))
        self._key = (self.release + (0,) * (4 - len(self.release)), 0 if self.is_prerelease else 1)

    def __lt__(self, other):
        return self._key < _as_version(other)._key

    def __le__(self, other):
        return self._key <= _as_version(other)._key

    def __gt__(self, other):
        return self._key > _as_version(other)._key

    def __ge__(self, other):
        return self._key >= _as_version(other)._key

    def __eq__(self, other):
        return self._key == _as_version(other)._key

    def __hash__(self):
        return hash(self._key)

    def __str__(self):
        return self.public


def _as_version(value):
    return value if isinstance(value, _Version) else _Version(value)


def install_packaging_if_missing():
    try:
        import packaging.version  # noqa: F401
    except ImportError:
        packaging = types.ModuleType('packaging')
        version = types.ModuleType('packaging.version')
        version.Version = _Version
        version.parse = _Version
        version.InvalidVersion = type('InvalidVersion', (ValueError,), {})
        packaging.version = version
        packaging.__path__ = []
        sys.modules['packaging'] = packaging
        sys.modules['packaging.version'] = version


def patch_torch_for_diffusers():
    # diffusers 0.33 lists dtypes torch 1.13 does not have (quantizer tables only).
    for name in ('float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'uint16', 'uint32', 'uint64') + tuple(f'uint{i}' for i in range(1, 8)):
        if not hasattr(torch, name):
            setattr(torch, name, torch.float32)
    # torch.compiler (2.x) is used as a decorator namespace at import time.
    if not hasattr(torch, 'compiler'):
        torch.compiler = types.SimpleNamespace(disable=lambda fn=None, **_: fn if fn is not None else (lambda f: f), is_compiling=lambda: False)
    # No baddbmm patch: torch 1.13's CPU baddbmm with beta=0 ignores its input (checked: an input of NaN or Inf at
    # the UNet's attention shapes [16, 4096, 40]·[16, 40, 4096], key transposed as diffusers passes it, gives
    # exactly bmm·alpha), so diffusers' attention runs here as it does for anyone on this torch. A zero-filled input
    # with beta=1, as an earlier version of this script used, added the zero fill (aten::fill_, ~1.4 s of a ~21 s
    # step); baddbmm's per-batch addmm_ runs either way.


def safetensors_tensors(path):
    """A minimal safetensors reader (F32 only) yielding (name, array) one tensor at a time, read, not mapped, so
    the file's pages never count in this process's RSS."""
    with open(path, 'rb') as f:
        header_len = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(header_len))
        for name, info in header.items():
            if name == '__metadata__':
                continue
            if info['dtype'] != 'F32':
                raise SystemExit(f'{name}: {info["dtype"]} (only F32 is read)')
            start, end = info['data_offsets']
            f.seek(8 + header_len + start)
            yield name, np.frombuffer(f.read(end - start), dtype=np.float32).reshape(info['shape'])


def blas_in_use():
    """The BLAS library torch's matmuls went to (Debian's torch takes whatever libblas.so.3 resolves to)."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    try:
        with open('/proc/self/maps') as f:
            # The shared library behind libblas.so.3 (scipy's own wrappers, also mapped, are not a BLAS).
            paths = {line.split()[-1] for line in f if 'blas' in line.split()[-1] and 'dist-packages' not in line}
    except OSError:
        return 'unknown'
    return ', '.join(sorted(os.path.realpath(p) for p in paths)) or 'none loaded'


def main():
    weights, inputs, config_path = sys.argv[1:4]
    src = os.environ.get('DIFFUSERS_SRC')
    if not src or not os.path.isdir(os.path.join(src, 'diffusers')):
        raise SystemExit('DIFFUSERS_SRC must name the src/ folder of a diffusers 0.33.1 checkout')
    torch.set_num_threads(int(os.environ.get('TORCH_THREADS', os.cpu_count() or 1)))
    sys.meta_path.insert(0, _StubFinder())
    install_packaging_if_missing()
    patch_torch_for_diffusers()
    sys.path.insert(0, src)
    # diffusers checks installed distributions' metadata (requests, filelock) at import; the stubs have none.
    checks = types.ModuleType('diffusers.dependency_versions_check')
    checks.dep_version_check = lambda *args, **kwargs: None
    sys.modules['diffusers.dependency_versions_check'] = checks
    started = time.perf_counter()
    import diffusers  # noqa: E402
    from diffusers.models.unets.unet_2d_condition import UNet2DConditionModel  # noqa: E402

    with open(config_path) as f:
        config = {k: v for k, v in json.load(f).items() if not k.startswith('_')}
    model = UNet2DConditionModel(**config)
    # Copy the weights in place tensor by tensor: the peak stays at one model plus one tensor.
    slots = dict(model.state_dict(keep_vars=True))
    seen = set()
    with torch.no_grad():
        for name, array in safetensors_tensors(weights):
            if name not in slots or tuple(slots[name].shape) != array.shape:
                raise SystemExit(f'weights do not fit the model: {name} {array.shape}')
            slots[name].copy_(torch.from_numpy(array.copy()))
            seen.add(name)
    missing = [n for n in slots if n not in seen]
    if missing:
        raise SystemExit(f'weights miss {missing[:5]}')
    model.eval()
    feeds = {k: torch.from_numpy(v.copy()) for k, v in safetensors_tensors(inputs)}
    mkldnn = 'oneDNN (mkldnn) ' + ('on' if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled else 'off')
    ready = {'ready': True, 'diffusers': diffusers.__version__, 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_in_use(), 'mkldnn': mkldnn}
    print(json.dumps({**ready, 'load_s': time.perf_counter() - started}), flush=True)

    def forward():
        with torch.no_grad():
            return model(feeds['sample'], feeds['timestep'], encoder_hidden_states=feeds['encoder_hidden_states']).sample

    last = None
    for line in sys.stdin:
        command = line.strip()
        if command == 'step':
            t = time.perf_counter()
            cpu = time.process_time()
            last = forward()
            step_s = time.perf_counter() - t
            cpu_s = time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            print(json.dumps({'step_s': step_s, 'cpu_s': cpu_s, 'peak_rss_bytes': peak, 'absmax': float(last.abs().max())}), flush=True)
        elif command == 'profile':
            with torch.autograd.profiler.profile() as prof:
                last = forward()
            ops = [{'op': e.key, 'self_s': e.self_cpu_time_total / 1e6, 'count': e.count} for e in prof.key_averages()]
            print(json.dumps({'ops': ops}), flush=True)
        elif command.startswith('out ') and last is not None:
            last.numpy().astype(np.float32).tofile(command[4:])
            print(json.dumps({'written': command[4:]}), flush=True)
        elif command == 'quit':
            break


if __name__ == '__main__':
    main()
