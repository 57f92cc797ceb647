/*
 * diffusion_torch: a C ABI over libtorch's functional tensor operations.
 *
 * Contract (every entry point):
 *  - returns a status: DT_OK (0) or DT_ERROR (1). Results come back through out-parameters.
 *  - never lets a C++ exception escape; on DT_ERROR the message is in a thread-local buffer
 *    owned by this library, read with dt_last_error() and valid until the next failing call on
 *    the same thread. Callers copy it; they never free it.
 *  - a tensor result that is legitimately undefined (e.g. the grad of a tensor that has none)
 *    is returned as a NULL handle with status DT_OK: NULL is never an error signal.
 *  - handles are opaque; each returned handle is owned by the caller and released once with
 *    dt_free. No C++ type crosses the boundary.
 *
 * Codes shared with the C# binding (keep both sides in sync):
 *  dtype: c10::ScalarType values (4 int64, 6 float32, 7 float64, 3 int32, 11 bool).
 *  unary (dt_unary): see DtUnary.  binary (dt_binary): see DtBinary.
 *  scalar (dt_scalar, dt_scalar_): see DtScalar.  reductions (dt_reduce): see DtReduce.
 */
#ifndef DIFFUSION_TORCH_H
#define DIFFUSION_TORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DT_OK 0
#define DT_ERROR 1
#define DT_EXPORT __attribute__((visibility("default")))

typedef struct dt_tensor_s* dt_tensor;
typedef struct dt_generator_s* dt_generator;
typedef struct dt_store_s* dt_store;
typedef struct dt_process_group_s* dt_process_group;

enum DtUnary { DT_NEG = 0, DT_EXP, DT_LOG, DT_SQRT, DT_SIN, DT_COS, DT_SILU, DT_SIGMOID, DT_TANH,
               DT_RELU, DT_ABS, DT_SQUARE, DT_RSQRT };
enum DtBinary { DT_ADD = 0, DT_SUB, DT_MUL, DT_DIV, DT_POW, DT_MAXIMUM, DT_MINIMUM };
/* a op s; DT_RSUB is s - a, DT_RDIV is s / a, DT_FILL (in place only) sets every element to s. */
enum DtScalar { DT_S_ADD = 0, DT_S_SUB, DT_S_MUL, DT_S_DIV, DT_S_POW, DT_S_RSUB, DT_S_RDIV, DT_S_FILL };
enum DtReduce { DT_SUM = 0, DT_MEAN, DT_AMAX, DT_AMIN, DT_NORM2 };
/* element-wise reduction of a collective (dt_all_reduce_) across the ranks of a process group */
enum DtReduceOp { DT_OP_SUM = 0, DT_OP_MAX, DT_OP_MIN };

/* errors, bookkeeping, global state */
DT_EXPORT const char* dt_last_error(void);
DT_EXPORT int64_t dt_live_tensors(void);
DT_EXPORT void dt_free(dt_tensor t);
DT_EXPORT int dt_manual_seed(uint64_t seed);
DT_EXPORT int dt_set_num_threads(int32_t n);
DT_EXPORT int dt_get_num_threads(int32_t* out);
/* Makes glibc's heap keep the memory tensors free (see diffusion_torch.cpp); *applied is 0 off glibc. */
DT_EXPORT int dt_keep_freed_memory(int32_t* applied);
DT_EXPORT int dt_generator_new(uint64_t seed, dt_generator* out);
DT_EXPORT void dt_generator_free(dt_generator g);

/* creation (gen may be NULL: the global generator seeded by dt_manual_seed) */
DT_EXPORT int dt_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, dt_tensor* out);
DT_EXPORT int dt_ones(const int64_t* shape, int32_t ndim, int32_t dtype, dt_tensor* out);
DT_EXPORT int dt_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype, dt_tensor* out);
DT_EXPORT int dt_randn(const int64_t* shape, int32_t ndim, int32_t dtype, dt_generator gen, dt_tensor* out);
DT_EXPORT int dt_rand(const int64_t* shape, int32_t ndim, int32_t dtype, dt_generator gen, dt_tensor* out);
/* randn of n float32 values through ATen's portable CPU normal kernel, not the one the CPU's capability
   picks (AVX2 evaluates log, sin and cos with vector approximations): a machine-independent reference */
DT_EXPORT int dt_randn_portable(int64_t n, dt_generator gen, dt_tensor* out);
DT_EXPORT int dt_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, dt_generator gen, dt_tensor* out);
DT_EXPORT int dt_from_data(const void* data, int64_t count, int32_t dtype, const int64_t* shape, int32_t ndim, dt_tensor* out);
DT_EXPORT int dt_arange(double start, double end, double step, int32_t dtype, dt_tensor* out);

/* queries and data access */
DT_EXPORT int dt_dim(dt_tensor t, int64_t* out);
DT_EXPORT int dt_sizes(dt_tensor t, int64_t* out, int32_t capacity);
DT_EXPORT int dt_dtype(dt_tensor t, int32_t* out);
DT_EXPORT int dt_numel(dt_tensor t, int64_t* out);
DT_EXPORT int dt_item_double(dt_tensor t, double* out);
DT_EXPORT int dt_item_long(dt_tensor t, int64_t* out);
DT_EXPORT int dt_copy_to(dt_tensor t, void* dst, int64_t count, int32_t dtype);
DT_EXPORT int dt_to_dtype(dt_tensor t, int32_t dtype, dt_tensor* out);

/* shape */
DT_EXPORT int dt_reshape(dt_tensor t, const int64_t* shape, int32_t ndim, dt_tensor* out);
DT_EXPORT int dt_view(dt_tensor t, const int64_t* shape, int32_t ndim, dt_tensor* out);
DT_EXPORT int dt_expand(dt_tensor t, const int64_t* shape, int32_t ndim, dt_tensor* out);
DT_EXPORT int dt_permute(dt_tensor t, const int64_t* dims, int32_t ndim, dt_tensor* out);
DT_EXPORT int dt_transpose(dt_tensor t, int64_t dim0, int64_t dim1, dt_tensor* out);
DT_EXPORT int dt_unsqueeze(dt_tensor t, int64_t dim, dt_tensor* out);
DT_EXPORT int dt_squeeze(dt_tensor t, int64_t dim, dt_tensor* out);
DT_EXPORT int dt_flatten(dt_tensor t, int64_t start_dim, int64_t end_dim, dt_tensor* out);
DT_EXPORT int dt_contiguous(dt_tensor t, dt_tensor* out);
DT_EXPORT int dt_narrow(dt_tensor t, int64_t dim, int64_t start, int64_t length, dt_tensor* out);
DT_EXPORT int dt_cat(const dt_tensor* ts, int32_t count, int64_t dim, dt_tensor* out);
DT_EXPORT int dt_stack(const dt_tensor* ts, int32_t count, int64_t dim, dt_tensor* out);
DT_EXPORT int dt_chunk(dt_tensor t, int64_t chunks, int64_t dim, dt_tensor* outs, int32_t capacity, int32_t* count);
DT_EXPORT int dt_split(dt_tensor t, int64_t size, int64_t dim, dt_tensor* outs, int32_t capacity, int32_t* count);
DT_EXPORT int dt_index_select(dt_tensor t, int64_t dim, dt_tensor index, dt_tensor* out);
DT_EXPORT int dt_clone(dt_tensor t, dt_tensor* out);
DT_EXPORT int dt_alias(dt_tensor t, dt_tensor* out);

/* elementwise and reductions */
DT_EXPORT int dt_unary(int32_t op, dt_tensor t, dt_tensor* out);
DT_EXPORT int dt_binary(int32_t op, dt_tensor a, dt_tensor b, dt_tensor* out);
DT_EXPORT int dt_scalar(int32_t op, dt_tensor a, double s, dt_tensor* out);
DT_EXPORT int dt_clamp(dt_tensor t, double min, double max, int32_t has_min, int32_t has_max, dt_tensor* out);
DT_EXPORT int dt_reduce(int32_t op, dt_tensor t, const int64_t* dims, int32_t ndims, int32_t keepdim, dt_tensor* out);

/* neural-network functions */
DT_EXPORT int dt_matmul(dt_tensor a, dt_tensor b, dt_tensor* out);
DT_EXPORT int dt_linear(dt_tensor x, dt_tensor w, dt_tensor b, dt_tensor* out);
DT_EXPORT int dt_conv2d(dt_tensor x, dt_tensor w, dt_tensor b, int64_t stride_h, int64_t stride_w,
                        int64_t pad_h, int64_t pad_w, int64_t groups, dt_tensor* out);
DT_EXPORT int dt_group_norm(dt_tensor x, int64_t groups, dt_tensor w, dt_tensor b, double eps, dt_tensor* out);
DT_EXPORT int dt_layer_norm(dt_tensor x, const int64_t* shape, int32_t ndim, dt_tensor w, dt_tensor b, double eps, dt_tensor* out);
DT_EXPORT int dt_softmax(dt_tensor t, int64_t dim, dt_tensor* out);
DT_EXPORT int dt_log_softmax(dt_tensor t, int64_t dim, dt_tensor* out);
DT_EXPORT int dt_upsample_nearest2d(dt_tensor x, int64_t out_h, int64_t out_w, dt_tensor* out);
DT_EXPORT int dt_avg_pool2d(dt_tensor x, int64_t kernel, int64_t stride, dt_tensor* out);
DT_EXPORT int dt_embedding(dt_tensor weight, dt_tensor indices, dt_tensor* out);
DT_EXPORT int dt_dropout(dt_tensor x, double p, int32_t train, dt_tensor* out);
DT_EXPORT int dt_mse_loss(dt_tensor a, dt_tensor b, int32_t reduction, dt_tensor* out);

/* autograd */
DT_EXPORT int dt_requires_grad(dt_tensor t, int32_t* out);
DT_EXPORT int dt_set_requires_grad(dt_tensor t, int32_t requires);
DT_EXPORT int dt_is_leaf(dt_tensor t, int32_t* out);
DT_EXPORT int dt_backward(dt_tensor t, dt_tensor grad, int32_t retain_graph);
DT_EXPORT int dt_grad(dt_tensor t, dt_tensor* out);
DT_EXPORT int dt_clear_grad(dt_tensor t);
DT_EXPORT int dt_detach(dt_tensor t, dt_tensor* out);
DT_EXPORT int dt_set_grad_enabled(int32_t enabled, int32_t* previous);
DT_EXPORT int dt_is_grad_enabled(int32_t* out);

/* in place (autograd-recorded like any op: callers updating parameters disable grad first) */
DT_EXPORT int dt_add_(dt_tensor self, dt_tensor other, double alpha);
DT_EXPORT int dt_mul_(dt_tensor self, dt_tensor other);
DT_EXPORT int dt_scalar_(int32_t op, dt_tensor self, double s);
DT_EXPORT int dt_addcmul_(dt_tensor self, dt_tensor a, dt_tensor b, double value);
DT_EXPORT int dt_addcdiv_(dt_tensor self, dt_tensor a, dt_tensor b, double value);
DT_EXPORT int dt_copy_(dt_tensor self, dt_tensor src);
DT_EXPORT int dt_set_data(dt_tensor self, dt_tensor src);
/* initializers: always run without recording gradients, like torch.nn.init */
DT_EXPORT int dt_uniform_(dt_tensor self, double low, double high, dt_generator gen);
DT_EXPORT int dt_normal_(dt_tensor self, double mean, double std, dt_generator gen);

/* distributed (c10d from the same libtorch). A TCPStore is the rendezvous: the rank with is_server
 * hosts it on port, the others connect to host:port; construction waits (up to timeout_ms) for all
 * world_size ranks. A Gloo process group over it runs collectives on CPU tensors; timeout_ms bounds
 * its rendezvous and every collective, so a rank that hangs or dies fails the others' call with
 * DT_ERROR instead of blocking them. iface_host names the address this rank's Gloo transport binds
 * ("" = the interface named by $GLOO_SOCKET_IFNAME, else the one this machine's hostname resolves to). */
DT_EXPORT int dt_tcp_store_new(const char* host, int32_t port, int32_t world_size, int32_t is_server, int64_t timeout_ms, dt_store* out);
DT_EXPORT void dt_store_free(dt_store s);
DT_EXPORT int dt_gloo_new(dt_store store, int32_t rank, int32_t world_size, const char* iface_host, int64_t timeout_ms, dt_process_group* out);
DT_EXPORT void dt_process_group_free(dt_process_group pg);
/* reduces t in place on every rank (t: a dense contiguous CPU tensor, the same shape and dtype everywhere) */
DT_EXPORT int dt_all_reduce_(dt_process_group pg, dt_tensor t, int32_t op);
DT_EXPORT int dt_broadcast_(dt_process_group pg, dt_tensor t, int32_t root);
DT_EXPORT int dt_barrier(dt_process_group pg);

#ifdef __cplusplus
}
#endif

#endif
