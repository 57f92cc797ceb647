using System.Runtime.InteropServices;

namespace Diffusion.Torch.Native;

/// <summary>
/// P/Invoke declarations of the shim (training/native/diffusion_torch.h). Every function returns a
/// status (0 ok, 1 error); call through <see cref="Status.Check"/>. Results come back as raw
/// handles through <c>out</c> parameters; a zero handle with status 0 means "undefined tensor".
/// </summary>
internal static partial class NativeMethods
{
    private const string Library = "diffusion_torch";

    [LibraryImport(Library)] internal static partial IntPtr dt_last_error();
    [LibraryImport(Library)] internal static partial long dt_live_tensors();
    [LibraryImport(Library)] internal static partial void dt_free(IntPtr t);
    [LibraryImport(Library)] internal static partial int dt_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial int dt_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial int dt_get_num_threads(out int n);
    [LibraryImport(Library)] internal static partial int dt_keep_freed_memory(out int applied);
    [LibraryImport(Library)] internal static partial int dt_generator_new(ulong seed, out IntPtr gen);
    [LibraryImport(Library)] internal static partial void dt_generator_free(IntPtr gen);

    [LibraryImport(Library)] internal static unsafe partial int dt_zeros(long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_ones(long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_full(long* shape, int ndim, double value, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_randn(long* shape, int ndim, int dtype, GeneratorHandle gen, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_rand(long* shape, int ndim, int dtype, GeneratorHandle gen, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_randn_portable(long n, GeneratorHandle gen, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_randint(long low, long high, long* shape, int ndim, GeneratorHandle gen, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_from_data(void* data, long count, int dtype, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_arange(double start, double end, double step, int dtype, out IntPtr result);

    [LibraryImport(Library)] internal static partial int dt_dim(TensorHandle t, out long dim);
    [LibraryImport(Library)] internal static unsafe partial int dt_sizes(TensorHandle t, long* sizes, int capacity);
    [LibraryImport(Library)] internal static partial int dt_dtype(TensorHandle t, out int dtype);
    [LibraryImport(Library)] internal static partial int dt_numel(TensorHandle t, out long numel);
    [LibraryImport(Library)] internal static partial int dt_item_double(TensorHandle t, out double value);
    [LibraryImport(Library)] internal static partial int dt_item_long(TensorHandle t, out long value);
    [LibraryImport(Library)] internal static unsafe partial int dt_copy_to(TensorHandle t, void* dst, long count, int dtype);
    [LibraryImport(Library)] internal static partial int dt_to_dtype(TensorHandle t, int dtype, out IntPtr result);

    [LibraryImport(Library)] internal static unsafe partial int dt_reshape(TensorHandle t, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_view(TensorHandle t, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_expand(TensorHandle t, long* shape, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_permute(TensorHandle t, long* dims, int ndim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_transpose(TensorHandle t, long dim0, long dim1, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_unsqueeze(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_squeeze(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_flatten(TensorHandle t, long startDim, long endDim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_contiguous(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_narrow(TensorHandle t, long dim, long start, long length, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_cat(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_stack(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_chunk(TensorHandle t, long chunks, long dim, IntPtr* outs, int capacity, out int count);
    [LibraryImport(Library)] internal static unsafe partial int dt_split(TensorHandle t, long size, long dim, IntPtr* outs, int capacity, out int count);
    [LibraryImport(Library)] internal static partial int dt_index_select(TensorHandle t, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_clone(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_alias(TensorHandle t, out IntPtr result);

    [LibraryImport(Library)] internal static partial int dt_unary(int op, TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_binary(int op, TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_scalar(int op, TensorHandle a, double s, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_clamp(TensorHandle t, double min, double max, int hasMin, int hasMax, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_reduce(int op, TensorHandle t, long* dims, int ndims, int keepdim, out IntPtr result);

    [LibraryImport(Library)] internal static partial int dt_matmul(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_linear(TensorHandle x, TensorHandle w, TensorHandle b, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, long strideH, long strideW, long padH, long padW, long groups, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_group_norm(TensorHandle x, long groups, TensorHandle w, TensorHandle b, double eps, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int dt_layer_norm(TensorHandle x, long* shape, int ndim, TensorHandle w, TensorHandle b, double eps, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_softmax(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_log_softmax(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_upsample_nearest2d(TensorHandle x, long outH, long outW, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_avg_pool2d(TensorHandle x, long kernel, long stride, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_embedding(TensorHandle weight, TensorHandle indices, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_dropout(TensorHandle x, double p, int train, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_mse_loss(TensorHandle a, TensorHandle b, int reduction, out IntPtr result);

    [LibraryImport(Library)] internal static partial int dt_requires_grad(TensorHandle t, out int requires);
    [LibraryImport(Library)] internal static partial int dt_set_requires_grad(TensorHandle t, int requires);
    [LibraryImport(Library)] internal static partial int dt_is_leaf(TensorHandle t, out int leaf);
    [LibraryImport(Library)] internal static partial int dt_backward(TensorHandle t, TensorHandle grad, int retainGraph);
    [LibraryImport(Library)] internal static partial int dt_grad(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_clear_grad(TensorHandle t);
    [LibraryImport(Library)] internal static partial int dt_detach(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int dt_set_grad_enabled(int enabled, out int previous);
    [LibraryImport(Library)] internal static partial int dt_is_grad_enabled(out int enabled);

    [LibraryImport(Library)] internal static partial int dt_add_(TensorHandle self, TensorHandle other, double alpha);
    [LibraryImport(Library)] internal static partial int dt_mul_(TensorHandle self, TensorHandle other);
    [LibraryImport(Library)] internal static partial int dt_scalar_(int op, TensorHandle self, double s);
    [LibraryImport(Library)] internal static partial int dt_addcmul_(TensorHandle self, TensorHandle a, TensorHandle b, double value);
    [LibraryImport(Library)] internal static partial int dt_addcdiv_(TensorHandle self, TensorHandle a, TensorHandle b, double value);
    [LibraryImport(Library)] internal static partial int dt_copy_(TensorHandle self, TensorHandle src);
    [LibraryImport(Library)] internal static partial int dt_set_data(TensorHandle self, TensorHandle src);
    [LibraryImport(Library)] internal static partial int dt_uniform_(TensorHandle self, double low, double high, GeneratorHandle gen);
    [LibraryImport(Library)] internal static partial int dt_normal_(TensorHandle self, double mean, double std, GeneratorHandle gen);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int dt_tcp_store_new(string host, int port, int worldSize, int isServer, long timeoutMs, out IntPtr store);
    [LibraryImport(Library)] internal static partial void dt_store_free(IntPtr store);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int dt_gloo_new(DistributedHandle store, int rank, int worldSize, string ifaceHost, long timeoutMs, out IntPtr group);
    [LibraryImport(Library)] internal static partial void dt_process_group_free(IntPtr group);
    [LibraryImport(Library)] internal static partial int dt_all_reduce_(DistributedHandle group, TensorHandle t, int op);
    [LibraryImport(Library)] internal static partial int dt_broadcast_(DistributedHandle group, TensorHandle t, int root);
    [LibraryImport(Library)] internal static partial int dt_barrier(DistributedHandle group);
}
