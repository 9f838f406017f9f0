// A minimal runner over ONNX Runtime's C API, for the GPU machine, which has no Node.js: opens one model on an
// execution provider (WebGPU with CPU fallback disabled, or the CPU), feeds raw tensors, times runs and writes the
// outputs. The same libonnxruntime.so.1 that onnxruntime-node bundles, so the EP is the product's.
//
//   ort-runner MODEL.onnx webgpu|cpu FEEDS.txt OUT_DIR|- RUNS
//
// FEEDS.txt: one input per line, "name f32|f16|i64 d0,d1,... file" (file: raw little-endian values).
// Prints "session_ms <t>", one "run_ms <t>" per run (the first is a warm-up), and per output
// "output <name> <dtype> <dims> nonfinite=<count> maxabs=<value>"; with OUT_DIR, writes <OUT_DIR>/<name>.bin.
// Build: cc -O2 -o ort-runner ort-runner.c -I<dir of onnxruntime_c_api.h> -L<dir of libonnxruntime.so.1> -l:libonnxruntime.so.1
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "onnxruntime_c_api.h"

static const OrtApi *ort;

static void check(OrtStatus *status, const char *what) {
  if (!status) return;
  fprintf(stderr, "ort-runner: %s: %s\n", what, ort->GetErrorMessage(status));
  ort->ReleaseStatus(status);
  exit(1);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

typedef struct {
  char name[256];
  ONNXTensorElementDataType type;
  int64_t dims[8];
  size_t rank;
  void *data;
  OrtValue *value;
} Feed;

static size_t elem_size(ONNXTensorElementDataType t) {
  return t == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 ? 2 : t == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 ? 8 : 4;
}

static ONNXTensorElementDataType parse_type(const char *s) {
  if (!strcmp(s, "f32")) return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  if (!strcmp(s, "f16")) return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
  if (!strcmp(s, "i64")) return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
  fprintf(stderr, "ort-runner: unknown dtype %s\n", s);
  exit(2);
}

static const char *type_name(ONNXTensorElementDataType t) {
  return t == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 ? "f16" : t == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 ? "i64" : t == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ? "f32" : "other";
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp == 0) return (sign ? -1.0f : 1.0f) * ldexpf((float)man, -24);
  if (exp == 31) return man ? NAN : (sign ? -INFINITY : INFINITY);
  uint32_t bits = sign | ((exp + 112) << 23) | (man << 13);
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

static size_t read_feeds(const char *path, Feed *feeds, size_t max, const OrtMemoryInfo *mem) {
  FILE *list = fopen(path, "r");
  if (!list) {
    perror(path);
    exit(2);
  }
  char line[4096], type[8], dims[256], file[2048];
  size_t n = 0;
  while (fgets(line, sizeof line, list) && n < max) {
    Feed *f = &feeds[n];
    if (sscanf(line, "%255s %7s %255s %2047s", f->name, type, dims, file) != 4) continue;
    f->type = parse_type(type);
    f->rank = 0;
    size_t count = 1;
    for (char *tok = strtok(dims, ","); tok && f->rank < 8; tok = strtok(NULL, ",")) {
      f->dims[f->rank++] = atoll(tok);
      count *= (size_t)atoll(tok);
    }
    size_t bytes = count * elem_size(f->type);
    f->data = malloc(bytes ? bytes : 1);
    FILE *raw = fopen(file, "rb");
    if (!raw || fread(f->data, 1, bytes, raw) != bytes) {
      fprintf(stderr, "ort-runner: cannot read %zu bytes from %s\n", bytes, file);
      exit(2);
    }
    fclose(raw);
    check(ort->CreateTensorWithDataAsOrtValue(mem, f->data, bytes, f->dims, f->rank, f->type, &f->value), f->name);
    n++;
  }
  fclose(list);
  return n;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: ort-runner MODEL.onnx webgpu|cpu FEEDS.txt OUT_DIR|- RUNS\n");
    return 2;
  }
  const char *model = argv[1], *ep = argv[2], *out_dir = argv[4];
  int runs = atoi(argv[5]);
  ort = OrtGetApiBase()->GetApi(ORT_API_VERSION);
  if (!ort) {
    fprintf(stderr, "ort-runner: this libonnxruntime does not offer C API version %d (%s)\n", ORT_API_VERSION, OrtGetApiBase()->GetVersionString());
    return 1;
  }
  printf("onnxruntime %s, ep %s\n", OrtGetApiBase()->GetVersionString(), ep);
  OrtEnv *env;
  check(ort->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "ort-runner", &env), "CreateEnv");
  OrtSessionOptions *opts;
  check(ort->CreateSessionOptions(&opts), "CreateSessionOptions");
  check(ort->SetSessionGraphOptimizationLevel(opts, ORT_ENABLE_ALL), "SetSessionGraphOptimizationLevel");
  if (!strcmp(ep, "webgpu")) {
    // As graph/runtime.ts: NCHW (the layout the graphs are written in), and no node may fall back to the CPU.
    const char *keys[] = {"preferredLayout"}, *values[] = {"NCHW"};
    check(ort->SessionOptionsAppendExecutionProvider(opts, "WebGPU", keys, values, 1), "append WebGPU");
    check(ort->AddSessionConfigEntry(opts, "session.disable_cpu_ep_fallback", "1"), "disable CPU fallback");
  } else if (strcmp(ep, "cpu")) {
    fprintf(stderr, "ort-runner: ep must be webgpu or cpu\n");
    return 2;
  }
  double t0 = now_ms();
  OrtSession *session;
  check(ort->CreateSession(env, model, opts, &session), "CreateSession");
  printf("session_ms %.1f\n", now_ms() - t0);
  fflush(stdout);

  OrtMemoryInfo *mem;
  check(ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &mem), "CreateCpuMemoryInfo");
  static Feed feeds[64];
  size_t n_in = read_feeds(argv[3], feeds, 64, mem);
  const char *in_names[64];
  const OrtValue *in_values[64];
  for (size_t i = 0; i < n_in; i++) {
    in_names[i] = feeds[i].name;
    in_values[i] = feeds[i].value;
  }
  OrtAllocator *alloc;
  check(ort->GetAllocatorWithDefaultOptions(&alloc), "allocator");
  size_t n_out;
  check(ort->SessionGetOutputCount(session, &n_out), "output count");
  char *out_names[64];
  for (size_t i = 0; i < n_out && i < 64; i++) check(ort->SessionGetOutputName(session, i, alloc, &out_names[i]), "output name");
  OrtValue *outputs[64];
  for (int r = 0; r <= runs; r++) {
    memset(outputs, 0, sizeof outputs);
    double t = now_ms();
    // Run returns once the outputs are in host memory, so the time includes the GPU work and the read-back.
    check(ort->Run(session, NULL, in_names, in_values, n_in, (const char *const *)out_names, n_out, outputs), "Run");
    printf("run_ms %.2f%s\n", now_ms() - t, r == 0 ? " (warm-up)" : "");
    fflush(stdout);
    if (r < runs)
      for (size_t i = 0; i < n_out; i++) ort->ReleaseValue(outputs[i]);
  }
  for (size_t i = 0; i < n_out; i++) {
    OrtTensorTypeAndShapeInfo *info;
    check(ort->GetTensorTypeAndShape(outputs[i], &info), "output shape");
    ONNXTensorElementDataType type;
    size_t rank, count;
    int64_t dims[8] = {0};
    check(ort->GetTensorElementType(info, &type), "output type");
    check(ort->GetDimensionsCount(info, &rank), "output rank");
    check(ort->GetDimensions(info, dims, rank < 8 ? rank : 8), "output dims");
    check(ort->GetTensorShapeElementCount(info, &count), "output count");
    ort->ReleaseTensorTypeAndShapeInfo(info);
    void *data;
    check(ort->GetTensorMutableData(outputs[i], &data), "output data");
    size_t nonfinite = 0;
    double maxabs = 0;
    for (size_t k = 0; k < count && type != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64; k++) {
      float v = type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 ? half_to_float(((uint16_t *)data)[k]) : ((float *)data)[k];
      if (!isfinite(v)) nonfinite++;
      else if (fabs(v) > maxabs) maxabs = fabs(v);
    }
    printf("output %s %s ", out_names[i], type_name(type));
    for (size_t d = 0; d < rank; d++) printf(d ? ",%lld" : "%lld", (long long)dims[d]);
    printf(" nonfinite=%zu maxabs=%g\n", nonfinite, maxabs);
    if (strcmp(out_dir, "-")) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s.bin", out_dir, out_names[i]);
      FILE *f = fopen(path, "wb");
      if (!f || fwrite(data, elem_size(type), count, f) != count) {
        fprintf(stderr, "ort-runner: cannot write %s\n", path);
        return 1;
      }
      fclose(f);
    }
    ort->ReleaseValue(outputs[i]);
  }
  for (size_t i = 0; i < n_out; i++) check(ort->AllocatorFree(alloc, out_names[i]), "free name");
  for (size_t i = 0; i < n_in; i++) {
    ort->ReleaseValue(feeds[i].value);
    free(feeds[i].data);
  }
  ort->ReleaseMemoryInfo(mem);
  ort->ReleaseSession(session);
  ort->ReleaseSessionOptions(opts);
  ort->ReleaseEnv(env);
  return 0;
}
