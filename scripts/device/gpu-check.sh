#!/usr/bin/env bash
# The one command a device call runs (scripts/device/README.md): Vulkan loaders from the carried .debs, the
# carried ONNX Runtime unpacked and ort-runner rebuilt if the prebuilt one does not start, then gpu_check.py.
#   bash scripts/device/gpu-check.sh [gpu_check.py options]     (carry: .gpu-check and .gl)
set -u
CARRY=${GPU_CHECK_CARRY:-.gpu-check}
OUT=${OUT:-/tmp/gpu-check-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-check.log") 2>&1

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
${PYTHON:-python3} --version

echo "== vulkan"
if [ -d .gl ] && ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
ldconfig -p | grep libvulkan.so.1 || echo "no libvulkan.so.1: WebGPU will find no adapter"
# The device README: name the NVIDIA ICD when the loader finds no driver on its own.
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
if [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

echo "== onnxruntime"
RT="$CARRY/runtime"
[ -f "$RT/libonnxruntime.so.1" ] || xz -dk "$RT/libonnxruntime.so.1.xz"
if ! "$RT/ort-runner" 2>&1 | grep -q usage; then
  echo "prebuilt ort-runner does not start here; building it"
  cc -O2 -o "$RT/ort-runner" scripts/device/ort-runner.c -I"$RT/include" -L"$RT" -l:libonnxruntime.so.1 -Wl,-rpath,'$ORIGIN' -lm
fi

[ -d "$CARRY/models" ] || tar -xJf "$CARRY/models.tar.xz" -C "$CARRY"

echo "== check"
PYTHONUNBUFFERED=1 ${PYTHON:-python3} scripts/device/gpu_check.py --carry "$CARRY" --out "$OUT" "$@"
status=$?
echo "exit $status; results in $OUT/results.json"
exit $status
