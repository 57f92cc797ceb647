// The whole shim is one translation unit: including ATen costs ~15 s per unit to compile.
#include "diffusion_torch.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/native/UnaryOps.h>
#include <c10/core/GradMode.h>

// c10d's Gloo process group is compiled into Debian's libtorch; its header needs the define (and libgloo-dev).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <climits>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <atomic>
#include <string>
#include <vector>

struct dt_tensor_s { at::Tensor value; };
struct dt_generator_s { at::Generator value; };
struct dt_store_s { c10::intrusive_ptr<c10d::Store> value; };
struct dt_process_group_s { c10::intrusive_ptr<c10d::ProcessGroupGloo> value; };

namespace {

thread_local std::string last_error;
std::atomic<int64_t> live_tensors{0};

int fail(const char* message) noexcept {
  try { last_error = message; } catch (...) { /* out of memory while reporting: keep the old text */ }
  return DT_ERROR;
}

// Every entry point runs its body through guarded(): no exception crosses the C boundary.
template <typename F>
int guarded(F&& body) noexcept {
  try {
    body();
    return DT_OK;
  } catch (const c10::Error& e) {
    return fail(e.what_without_backtrace());
  } catch (const std::exception& e) {
    return fail(e.what());
  } catch (...) {
    return fail("unknown C++ exception in libtorch");
  }
}

const at::Tensor& get(dt_tensor t) {
  if (t == nullptr) throw std::invalid_argument("tensor handle is null (disposed or never created)");
  return t->value;
}

c10::optional<at::Tensor> optional(dt_tensor t) {
  if (t == nullptr) return c10::nullopt;
  return t->value;
}

c10::optional<at::Generator> generator(dt_generator g) {
  if (g == nullptr) return c10::nullopt;
  return g->value;
}

void put(dt_tensor* out, at::Tensor value) {
  if (out == nullptr) throw std::invalid_argument("output pointer is null");
  if (!value.defined()) { *out = nullptr; return; }
  *out = new dt_tensor_s{std::move(value)};
  live_tensors.fetch_add(1, std::memory_order_relaxed);
}

at::IntArrayRef dims(const int64_t* values, int32_t count) {
  if (count < 0 || (count > 0 && values == nullptr)) throw std::invalid_argument("shape array is null or has a negative length");
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

at::ScalarType scalar_type(int32_t code) {
  switch (code) {
    case 3: return at::kInt;
    case 4: return at::kLong;
    case 6: return at::kFloat;
    case 7: return at::kDouble;
    case 11: return at::kBool;
    default: throw std::invalid_argument("unsupported dtype code " + std::to_string(code) + " (use int32, int64, float32, float64 or bool)");
  }
}

at::TensorOptions options(int32_t dtype) { return at::TensorOptions().dtype(scalar_type(dtype)); }

std::vector<at::Tensor> list(const dt_tensor* ts, int32_t count) {
  if (count <= 0 || ts == nullptr) throw std::invalid_argument("tensor list is empty");
  std::vector<at::Tensor> result;
  result.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) result.push_back(get(ts[i]));
  return result;
}

void put_list(const std::vector<at::Tensor>& parts, dt_tensor* outs, int32_t capacity, int32_t* count) {
  if (static_cast<int64_t>(parts.size()) > capacity) throw std::invalid_argument("output array too small for " + std::to_string(parts.size()) + " tensors");
  for (size_t i = 0; i < parts.size(); ++i) put(&outs[i], parts[i]);
  *count = static_cast<int32_t>(parts.size());
}

}  // namespace

extern "C" {

// ---- errors, bookkeeping, global state ----

const char* dt_last_error(void) { return last_error.c_str(); }

int64_t dt_live_tensors(void) { return live_tensors.load(std::memory_order_relaxed); }

void dt_free(dt_tensor t) {
  if (t == nullptr) return;
  delete t;  // releasing a reference never throws
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int dt_manual_seed(uint64_t seed) { return guarded([&] { at::manual_seed(seed); }); }

int dt_set_num_threads(int32_t n) {
  return guarded([&] {
    if (n < 1) throw std::invalid_argument("thread count must be at least 1, got " + std::to_string(n));
    at::set_num_threads(n);
  });
}

int dt_get_num_threads(int32_t* out) { return guarded([&] { *out = at::get_num_threads(); }); }

// libtorch's CPU tensors live on the C heap. With glibc's defaults a training step frees its activations and
// the heap's free top goes back to the kernel (M_TRIM_THRESHOLD), or a block above M_MMAP_THRESHOLD was its own
// mapping and is unmapped: the next step faults the same megabytes in again, page by page, zero-filled. On the
// MNIST UNet that was a quarter of the process's CPU time spent in the kernel. Keeping freed memory in the heap
// stops it; the cost is that the process keeps its peak footprint. Three settings do it:
// - M_MMAP_THRESHOLD at glibc's largest allowed value (32 MB on 64-bit): blocks up to that come from the heap.
//   (Setting any of these options also ends glibc's own adjustment of this threshold.)
// - M_TRIM_THRESHOLD at its maximum: the main arena's heap top is never given back.
// - M_TOP_PAD at 256 MB: a thread's arena is a chain of 64 MB heaps, and glibc unmaps a heap that has become
//   wholly free unless less than the pad would be left (heap_trim, malloc/arena.c); a pad above 64 MB keeps
//   them all. Elsewhere the pad only reserves address space ahead of the heap, which costs no memory until used.
int dt_keep_freed_memory(int32_t* applied) {
  return guarded([&] {
#if defined(__GLIBC__)
    bool mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
    bool trim_ok = mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
    bool pad_ok = mallopt(M_TOP_PAD, 256 * 1024 * 1024) == 1;
    *applied = mmap_ok && trim_ok && pad_ok ? 1 : 0;
#else
    *applied = 0;
#endif
  });
}

int dt_generator_new(uint64_t seed, dt_generator* out) {
  return guarded([&] { *out = new dt_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)}; });
}

void dt_generator_free(dt_generator g) { delete g; }

// ---- creation ----

int dt_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, dt_tensor* out) {
  return guarded([&] { put(out, at::zeros(dims(shape, ndim), options(dtype))); });
}

int dt_ones(const int64_t* shape, int32_t ndim, int32_t dtype, dt_tensor* out) {
  return guarded([&] { put(out, at::ones(dims(shape, ndim), options(dtype))); });
}

int dt_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype, dt_tensor* out) {
  return guarded([&] { put(out, at::full(dims(shape, ndim), value, options(dtype))); });
}

int dt_randn(const int64_t* shape, int32_t ndim, int32_t dtype, dt_generator gen, dt_tensor* out) {
  return guarded([&] { put(out, at::randn(dims(shape, ndim), generator(gen), options(dtype))); });
}

int dt_rand(const int64_t* shape, int32_t ndim, int32_t dtype, dt_generator gen, dt_tensor* out) {
  return guarded([&] { put(out, at::rand(dims(shape, ndim), generator(gen), options(dtype))); });
}

int dt_randn_portable(int64_t n, dt_generator gen, dt_tensor* out) {
  return guarded([&] {
    if (n < 0) throw std::invalid_argument("randn_portable needs a count of at least 0, got " + std::to_string(n));
    auto result = at::empty({n}, at::kFloat);
    decltype(at::native::normal_stub)::DEFAULT(result, 0.0, 1.0, generator(gen));
    put(out, result);
  });
}

int dt_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, dt_generator gen, dt_tensor* out) {
  return guarded([&] { put(out, at::randint(low, high, dims(shape, ndim), generator(gen), at::TensorOptions().dtype(at::kLong))); });
}

int dt_from_data(const void* data, int64_t count, int32_t dtype, const int64_t* shape, int32_t ndim, dt_tensor* out) {
  return guarded([&] {
    auto result = at::empty(dims(shape, ndim), options(dtype));
    if (result.numel() != count) {
      throw std::invalid_argument("data has " + std::to_string(count) + " elements but shape " + c10::str(result.sizes()) + " needs " + std::to_string(result.numel()));
    }
    if (count > 0) {
      if (data == nullptr) throw std::invalid_argument("data pointer is null");
      std::memcpy(result.data_ptr(), data, static_cast<size_t>(count) * result.element_size());
    }
    put(out, std::move(result));
  });
}

int dt_arange(double start, double end, double step, int32_t dtype, dt_tensor* out) {
  return guarded([&] { put(out, at::arange(start, end, step, options(dtype))); });
}

// ---- queries and data access ----

int dt_dim(dt_tensor t, int64_t* out) { return guarded([&] { *out = get(t).dim(); }); }

int dt_sizes(dt_tensor t, int64_t* out, int32_t capacity) {
  return guarded([&] {
    auto sizes = get(t).sizes();
    if (static_cast<int64_t>(sizes.size()) > capacity) throw std::invalid_argument("sizes buffer too small");
    std::copy(sizes.begin(), sizes.end(), out);
  });
}

int dt_dtype(dt_tensor t, int32_t* out) { return guarded([&] { *out = static_cast<int32_t>(get(t).scalar_type()); }); }

int dt_numel(dt_tensor t, int64_t* out) { return guarded([&] { *out = get(t).numel(); }); }

int dt_item_double(dt_tensor t, double* out) { return guarded([&] { *out = get(t).item<double>(); }); }

int dt_item_long(dt_tensor t, int64_t* out) { return guarded([&] { *out = get(t).item<int64_t>(); }); }

int dt_copy_to(dt_tensor t, void* dst, int64_t count, int32_t dtype) {
  return guarded([&] {
    const auto& self = get(t);
    if (self.numel() != count) {
      throw std::invalid_argument("destination holds " + std::to_string(count) + " elements but the tensor has " + std::to_string(self.numel()));
    }
    at::NoGradGuard no_grad;
    auto source = self.to(scalar_type(dtype)).contiguous();
    if (count > 0) std::memcpy(dst, source.data_ptr(), static_cast<size_t>(count) * source.element_size());
  });
}

int dt_to_dtype(dt_tensor t, int32_t dtype, dt_tensor* out) {
  return guarded([&] { put(out, get(t).to(scalar_type(dtype))); });
}

// ---- shape ----

int dt_reshape(dt_tensor t, const int64_t* shape, int32_t ndim, dt_tensor* out) {
  return guarded([&] { put(out, get(t).reshape(dims(shape, ndim))); });
}

int dt_view(dt_tensor t, const int64_t* shape, int32_t ndim, dt_tensor* out) {
  return guarded([&] { put(out, get(t).view(dims(shape, ndim))); });
}

int dt_expand(dt_tensor t, const int64_t* shape, int32_t ndim, dt_tensor* out) {
  return guarded([&] { put(out, get(t).expand(dims(shape, ndim))); });
}

int dt_permute(dt_tensor t, const int64_t* order, int32_t ndim, dt_tensor* out) {
  return guarded([&] { put(out, get(t).permute(dims(order, ndim))); });
}

int dt_transpose(dt_tensor t, int64_t dim0, int64_t dim1, dt_tensor* out) {
  return guarded([&] { put(out, get(t).transpose(dim0, dim1)); });
}

int dt_unsqueeze(dt_tensor t, int64_t dim, dt_tensor* out) { return guarded([&] { put(out, get(t).unsqueeze(dim)); }); }

int dt_squeeze(dt_tensor t, int64_t dim, dt_tensor* out) { return guarded([&] { put(out, get(t).squeeze(dim)); }); }

int dt_flatten(dt_tensor t, int64_t start_dim, int64_t end_dim, dt_tensor* out) {
  return guarded([&] { put(out, get(t).flatten(start_dim, end_dim)); });
}

int dt_contiguous(dt_tensor t, dt_tensor* out) { return guarded([&] { put(out, get(t).contiguous()); }); }

int dt_narrow(dt_tensor t, int64_t dim, int64_t start, int64_t length, dt_tensor* out) {
  return guarded([&] { put(out, get(t).narrow(dim, start, length)); });
}

int dt_cat(const dt_tensor* ts, int32_t count, int64_t dim, dt_tensor* out) {
  return guarded([&] { put(out, at::cat(list(ts, count), dim)); });
}

int dt_stack(const dt_tensor* ts, int32_t count, int64_t dim, dt_tensor* out) {
  return guarded([&] { put(out, at::stack(list(ts, count), dim)); });
}

int dt_chunk(dt_tensor t, int64_t chunks, int64_t dim, dt_tensor* outs, int32_t capacity, int32_t* count) {
  return guarded([&] { put_list(get(t).chunk(chunks, dim), outs, capacity, count); });
}

int dt_split(dt_tensor t, int64_t size, int64_t dim, dt_tensor* outs, int32_t capacity, int32_t* count) {
  return guarded([&] { put_list(get(t).split(size, dim), outs, capacity, count); });
}

int dt_index_select(dt_tensor t, int64_t dim, dt_tensor index, dt_tensor* out) {
  return guarded([&] { put(out, get(t).index_select(dim, get(index))); });
}

int dt_clone(dt_tensor t, dt_tensor* out) { return guarded([&] { put(out, get(t).clone()); }); }

int dt_alias(dt_tensor t, dt_tensor* out) { return guarded([&] { put(out, get(t)); }); }

// ---- elementwise and reductions ----

int dt_unary(int32_t op, dt_tensor t, dt_tensor* out) {
  return guarded([&] {
    const auto& x = get(t);
    switch (op) {
      case DT_NEG: put(out, x.neg()); break;
      case DT_EXP: put(out, x.exp()); break;
      case DT_LOG: put(out, x.log()); break;
      case DT_SQRT: put(out, x.sqrt()); break;
      case DT_SIN: put(out, x.sin()); break;
      case DT_COS: put(out, x.cos()); break;
      case DT_SILU: put(out, at::silu(x)); break;
      case DT_SIGMOID: put(out, x.sigmoid()); break;
      case DT_TANH: put(out, x.tanh()); break;
      case DT_RELU: put(out, x.relu()); break;
      case DT_ABS: put(out, x.abs()); break;
      case DT_SQUARE: put(out, x.square()); break;
      case DT_RSQRT: put(out, x.rsqrt()); break;
      default: throw std::invalid_argument("unknown unary op code " + std::to_string(op));
    }
  });
}

int dt_binary(int32_t op, dt_tensor a, dt_tensor b, dt_tensor* out) {
  return guarded([&] {
    const auto& x = get(a);
    const auto& y = get(b);
    switch (op) {
      case DT_ADD: put(out, x.add(y)); break;
      case DT_SUB: put(out, x.sub(y)); break;
      case DT_MUL: put(out, x.mul(y)); break;
      case DT_DIV: put(out, x.div(y)); break;
      case DT_POW: put(out, x.pow(y)); break;
      case DT_MAXIMUM: put(out, at::maximum(x, y)); break;
      case DT_MINIMUM: put(out, at::minimum(x, y)); break;
      default: throw std::invalid_argument("unknown binary op code " + std::to_string(op));
    }
  });
}

int dt_scalar(int32_t op, dt_tensor a, double s, dt_tensor* out) {
  return guarded([&] {
    const auto& x = get(a);
    switch (op) {
      case DT_S_ADD: put(out, x.add(s)); break;
      case DT_S_SUB: put(out, x.sub(s)); break;
      case DT_S_MUL: put(out, x.mul(s)); break;
      case DT_S_DIV: put(out, x.div(s)); break;
      case DT_S_POW: put(out, x.pow(s)); break;
      case DT_S_RSUB: put(out, at::rsub(x, s)); break;
      case DT_S_RDIV: put(out, x.reciprocal().mul(s)); break;
      default: throw std::invalid_argument("unknown scalar op code " + std::to_string(op));
    }
  });
}

int dt_clamp(dt_tensor t, double min, double max, int32_t has_min, int32_t has_max, dt_tensor* out) {
  return guarded([&] {
    c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
    c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
    put(out, get(t).clamp(lo, hi));
  });
}

int dt_reduce(int32_t op, dt_tensor t, const int64_t* reduce_dims, int32_t ndims, int32_t keepdim, dt_tensor* out) {
  return guarded([&] {
    const auto& x = get(t);
    const bool all = ndims == 0;
    auto d = dims(reduce_dims, ndims);
    switch (op) {
      case DT_SUM: put(out, all ? x.sum() : x.sum(d, keepdim != 0)); break;
      case DT_MEAN: put(out, all ? x.mean() : x.mean(d, keepdim != 0)); break;
      case DT_AMAX: put(out, x.amax(d, keepdim != 0)); break;
      case DT_AMIN: put(out, x.amin(d, keepdim != 0)); break;
      case DT_NORM2: put(out, all ? at::linalg_vector_norm(x, 2) : at::linalg_vector_norm(x, 2, d, keepdim != 0)); break;
      default: throw std::invalid_argument("unknown reduction op code " + std::to_string(op));
    }
  });
}

// ---- neural-network functions ----

int dt_matmul(dt_tensor a, dt_tensor b, dt_tensor* out) { return guarded([&] { put(out, at::matmul(get(a), get(b))); }); }

int dt_linear(dt_tensor x, dt_tensor w, dt_tensor b, dt_tensor* out) {
  return guarded([&] { put(out, at::linear(get(x), get(w), optional(b))); });
}

int dt_conv2d(dt_tensor x, dt_tensor w, dt_tensor b, int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
              int64_t groups, dt_tensor* out) {
  return guarded([&] {
    const int64_t stride[2] = {stride_h, stride_w};
    const int64_t padding[2] = {pad_h, pad_w};
    put(out, at::conv2d(get(x), get(w), optional(b), stride, padding, 1, groups));
  });
}

int dt_group_norm(dt_tensor x, int64_t groups, dt_tensor w, dt_tensor b, double eps, dt_tensor* out) {
  return guarded([&] { put(out, at::group_norm(get(x), groups, optional(w), optional(b), eps)); });
}

int dt_layer_norm(dt_tensor x, const int64_t* shape, int32_t ndim, dt_tensor w, dt_tensor b, double eps, dt_tensor* out) {
  return guarded([&] { put(out, at::layer_norm(get(x), dims(shape, ndim), optional(w), optional(b), eps)); });
}

int dt_softmax(dt_tensor t, int64_t dim, dt_tensor* out) { return guarded([&] { put(out, get(t).softmax(dim)); }); }

int dt_log_softmax(dt_tensor t, int64_t dim, dt_tensor* out) { return guarded([&] { put(out, get(t).log_softmax(dim)); }); }

int dt_upsample_nearest2d(dt_tensor x, int64_t out_h, int64_t out_w, dt_tensor* out) {
  return guarded([&] {
    const int64_t size[2] = {out_h, out_w};
    put(out, at::upsample_nearest2d(get(x), size));
  });
}

int dt_avg_pool2d(dt_tensor x, int64_t kernel, int64_t stride, dt_tensor* out) {
  return guarded([&] {
    const int64_t k[2] = {kernel, kernel};
    const int64_t s[2] = {stride, stride};
    put(out, at::avg_pool2d(get(x), k, s));
  });
}

int dt_embedding(dt_tensor weight, dt_tensor indices, dt_tensor* out) {
  return guarded([&] { put(out, at::embedding(get(weight), get(indices))); });
}

int dt_dropout(dt_tensor x, double p, int32_t train, dt_tensor* out) {
  return guarded([&] {
    if (p < 0.0 || p > 1.0) throw std::invalid_argument("dropout probability must be in [0, 1], got " + std::to_string(p));
    put(out, at::dropout(get(x), p, train != 0));
  });
}

int dt_mse_loss(dt_tensor a, dt_tensor b, int32_t reduction, dt_tensor* out) {
  return guarded([&] {
    if (reduction < 0 || reduction > 2) throw std::invalid_argument("reduction must be 0 (none), 1 (mean) or 2 (sum)");
    put(out, at::mse_loss(get(a), get(b), reduction));
  });
}

// ---- autograd ----

int dt_requires_grad(dt_tensor t, int32_t* out) { return guarded([&] { *out = get(t).requires_grad() ? 1 : 0; }); }

int dt_set_requires_grad(dt_tensor t, int32_t requires) {
  return guarded([&] { get(t).set_requires_grad(requires != 0); });
}

int dt_is_leaf(dt_tensor t, int32_t* out) { return guarded([&] { *out = get(t).is_leaf() ? 1 : 0; }); }

int dt_backward(dt_tensor t, dt_tensor grad, int32_t retain_graph) {
  return guarded([&] {
    const at::Tensor gradient = grad == nullptr ? at::Tensor() : get(grad);
    get(t).backward(gradient, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
  });
}

int dt_grad(dt_tensor t, dt_tensor* out) { return guarded([&] { put(out, get(t).grad()); }); }

int dt_clear_grad(dt_tensor t) { return guarded([&] { get(t).mutable_grad().reset(); }); }

int dt_detach(dt_tensor t, dt_tensor* out) { return guarded([&] { put(out, get(t).detach()); }); }

int dt_set_grad_enabled(int32_t enabled, int32_t* previous) {
  return guarded([&] {
    if (previous != nullptr) *previous = c10::GradMode::is_enabled() ? 1 : 0;
    c10::GradMode::set_enabled(enabled != 0);
  });
}

int dt_is_grad_enabled(int32_t* out) { return guarded([&] { *out = c10::GradMode::is_enabled() ? 1 : 0; }); }

// ---- in place ----

int dt_add_(dt_tensor self, dt_tensor other, double alpha) { return guarded([&] { get(self).add_(get(other), alpha); }); }

int dt_mul_(dt_tensor self, dt_tensor other) { return guarded([&] { get(self).mul_(get(other)); }); }

int dt_scalar_(int32_t op, dt_tensor self, double s) {
  return guarded([&] {
    const auto& x = get(self);
    switch (op) {
      case DT_S_ADD: x.add_(s); break;
      case DT_S_SUB: x.sub_(s); break;
      case DT_S_MUL: x.mul_(s); break;
      case DT_S_DIV: x.div_(s); break;
      case DT_S_POW: x.pow_(s); break;
      case DT_S_FILL: x.fill_(s); break;
      default: throw std::invalid_argument("unknown in-place scalar op code " + std::to_string(op));
    }
  });
}

int dt_addcmul_(dt_tensor self, dt_tensor a, dt_tensor b, double value) {
  return guarded([&] { get(self).addcmul_(get(a), get(b), value); });
}

int dt_addcdiv_(dt_tensor self, dt_tensor a, dt_tensor b, double value) {
  return guarded([&] { get(self).addcdiv_(get(a), get(b), value); });
}

int dt_copy_(dt_tensor self, dt_tensor src) { return guarded([&] { get(self).copy_(get(src)); }); }

int dt_set_data(dt_tensor self, dt_tensor src) { return guarded([&] { get(self).set_data(get(src)); }); }

int dt_uniform_(dt_tensor self, double low, double high, dt_generator gen) {
  return guarded([&] {
    at::NoGradGuard no_grad;
    get(self).uniform_(low, high, generator(gen));
  });
}

int dt_normal_(dt_tensor self, double mean, double std, dt_generator gen) {
  return guarded([&] {
    at::NoGradGuard no_grad;
    get(self).normal_(mean, std, generator(gen));
  });
}

// ---- distributed (c10d) ----

namespace {

std::chrono::milliseconds timeout_of(int64_t ms) {
  if (ms < 1) throw std::invalid_argument("timeout must be at least 1 ms, got " + std::to_string(ms));
  return std::chrono::milliseconds(ms);
}

c10d::ProcessGroupGloo& group(dt_process_group pg) {
  if (pg == nullptr || !pg->value) throw std::invalid_argument("process group handle is null (disposed or never created)");
  return *pg->value;
}

void wait(const c10::intrusive_ptr<c10d::Work>& work) {
  work->wait();  // throws the collective's failure (a peer closed its connection, or the timeout passed)
}

}  // namespace

int dt_tcp_store_new(const char* host, int32_t port, int32_t world_size, int32_t is_server, int64_t timeout_ms, dt_store* out) {
  return guarded([&] {
    if (host == nullptr || *host == '\0') throw std::invalid_argument("the store's host is empty");
    if (port < 1 || port > 65535) throw std::invalid_argument("the store's port must lie in 1..65535, got " + std::to_string(port));
    if (world_size < 1) throw std::invalid_argument("world size must be at least 1, got " + std::to_string(world_size));
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = is_server != 0;
    options.numWorkers = static_cast<std::size_t>(world_size);
    options.waitWorkers = true;
    options.timeout = timeout_of(timeout_ms);
    *out = new dt_store_s{c10::make_intrusive<c10d::TCPStore>(std::string(host), options)};
  });
}

void dt_store_free(dt_store s) { delete s; }

int dt_gloo_new(dt_store store, int32_t rank, int32_t world_size, const char* iface_host, int64_t timeout_ms, dt_process_group* out) {
  return guarded([&] {
    if (store == nullptr || !store->value) throw std::invalid_argument("store handle is null (disposed or never created)");
    if (world_size < 1 || rank < 0 || rank >= world_size)
      throw std::invalid_argument("rank " + std::to_string(rank) + " is outside a world of " + std::to_string(world_size));
    auto options = c10d::ProcessGroupGloo::Options::create(timeout_of(timeout_ms));
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (iface_host != nullptr && *iface_host != '\0')
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(iface_host));
    else if (ifname != nullptr && *ifname != '\0')
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    options->threads = 2;
    *out = new dt_process_group_s{c10::make_intrusive<c10d::ProcessGroupGloo>(store->value, rank, world_size, options)};
  });
}

void dt_process_group_free(dt_process_group pg) {
  try { delete pg; } catch (...) { /* a destructor that throws is libtorch's bug: never across the boundary */ }
}

int dt_all_reduce_(dt_process_group pg, dt_tensor t, int32_t op) {
  return guarded([&] {
    c10d::AllreduceOptions options;
    switch (op) {
      case DT_OP_SUM: options.reduceOp = c10d::ReduceOp::SUM; break;
      case DT_OP_MAX: options.reduceOp = c10d::ReduceOp::MAX; break;
      case DT_OP_MIN: options.reduceOp = c10d::ReduceOp::MIN; break;
      default: throw std::invalid_argument("unknown reduce op " + std::to_string(op) + " (use sum, max or min)");
    }
    std::vector<at::Tensor> tensors{get(t)};
    if (!tensors[0].is_contiguous()) throw std::invalid_argument("all-reduce needs a contiguous tensor");
    at::NoGradGuard no_grad;
    wait(group(pg).allreduce(tensors, options));
  });
}

int dt_broadcast_(dt_process_group pg, dt_tensor t, int32_t root) {
  return guarded([&] {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    std::vector<at::Tensor> tensors{get(t)};
    if (!tensors[0].is_contiguous()) throw std::invalid_argument("broadcast needs a contiguous tensor");
    at::NoGradGuard no_grad;
    wait(group(pg).broadcast(tensors, options));
  });
}

int dt_barrier(dt_process_group pg) {
  return guarded([&] { wait(group(pg).barrier()); });
}

}  // extern "C"
