using Diffusion.Torch.Native;

namespace Diffusion.Torch;

public static partial class torch
{
    /// <summary>Neural-network building blocks: functional forms here, modules in <c>Diffusion.Torch.Modules</c>.</summary>
    public static partial class nn
    {
        /// <summary>Stateless neural-network functions (the ops the modules are built from).</summary>
        public static class functional
        {
            /// <summary>SiLU x·σ(x).</summary>
            public static Tensor silu(Tensor x) => x.silu();

            /// <summary>Logistic sigmoid.</summary>
            public static Tensor sigmoid(Tensor x) => x.sigmoid();

            /// <summary>max(x, 0).</summary>
            public static Tensor relu(Tensor x) => x.relu();

            /// <summary>y = x Wᵀ + b with <paramref name="weight"/> [out, in].</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                Tensor.From(NativeMethods.dt_linear(input.Handle, weight.Handle, Tensor.HandleOf(bias), out var r), r);

            /// <summary>2-D cross-correlation of [N, C, H, W] with <paramref name="weight"/> [out, C/groups, kH, kW].</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long groups = 1) =>
                Tensor.From(NativeMethods.dt_conv2d(input.Handle, weight.Handle, Tensor.HandleOf(bias), stride, stride, padding, padding, groups, out var r), r);

            /// <summary>Group normalisation (Wu &amp; He 2018): channels split into groups, each normalised to zero mean and
            /// unit variance over (channels of the group, H, W), then scaled by <paramref name="weight"/> and shifted by <paramref name="bias"/>.</summary>
            public static Tensor group_norm(Tensor input, long numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                Tensor.From(NativeMethods.dt_group_norm(input.Handle, numGroups, Tensor.HandleOf(weight), Tensor.HandleOf(bias), eps, out var r), r);

            /// <summary>Layer normalisation over the trailing <paramref name="normalizedShape"/> dimensions.</summary>
            public static unsafe Tensor layer_norm(Tensor input, ReadOnlySpan<long> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* p = normalizedShape)
                {
                    return Tensor.From(NativeMethods.dt_layer_norm(input.Handle, p, normalizedShape.Length, Tensor.HandleOf(weight), Tensor.HandleOf(bias), eps, out var r), r);
                }
            }

            /// <summary>Softmax along <paramref name="dim"/>.</summary>
            public static Tensor softmax(Tensor input, long dim) => input.softmax(dim);

            /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
            public static Tensor log_softmax(Tensor input, long dim) => input.log_softmax(dim);

            /// <summary>Nearest-neighbour resize of [N, C, H, W] by an integer <paramref name="scaleFactor"/> (only "nearest" is supported).</summary>
            public static Tensor interpolate(Tensor input, long scaleFactor = 2, string mode = "nearest")
            {
                if (mode != "nearest") throw new NotSupportedException($"interpolate mode '{mode}' is not supported: use \"nearest\"");
                if (scaleFactor < 1) throw new ArgumentOutOfRangeException(nameof(scaleFactor), $"scale factor must be at least 1, got {scaleFactor}");
                var s = input.shape;
                if (s.Length != 4) throw new ArgumentException($"interpolate expects [N, C, H, W], got a {s.Length}-D tensor", nameof(input));
                return Tensor.From(NativeMethods.dt_upsample_nearest2d(input.Handle, s[2] * scaleFactor, s[3] * scaleFactor, out var r), r);
            }

            /// <summary>Average pooling with a square window.</summary>
            public static Tensor avg_pool2d(Tensor input, long kernelSize, long? stride = null) =>
                Tensor.From(NativeMethods.dt_avg_pool2d(input.Handle, kernelSize, stride ?? kernelSize, out var r), r);

            /// <summary>Rows of <paramref name="weight"/> picked by int64 <paramref name="indices"/>.</summary>
            public static Tensor embedding(Tensor indices, Tensor weight) =>
                Tensor.From(NativeMethods.dt_embedding(weight.Handle, indices.Handle, out var r), r);

            /// <summary>Zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1-p) when <paramref name="training"/>.</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) =>
                Tensor.From(NativeMethods.dt_dropout(input.Handle, p, training ? 1 : 0, out var r), r);

            /// <summary>Mean (or sum, or elementwise) squared error.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.From(NativeMethods.dt_mse_loss(input.Handle, target.Handle, (int)reduction, out var r), r);

            /// <summary>softmax(Q Kᵀ / √d) V (Vaswani et al. 2017, eq. 1) over [..., L, d] queries, keys and values,
            /// composed of matmul, mul and softmax (the ops an ONNX exporter maps one to one).</summary>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value)
            {
                double scale = 1.0 / Math.Sqrt(query.size(-1));
                using var keyT = key.transpose(-2, -1);
                using var scores = query.matmul(keyT);
                using var scaled = scores.mul(scale);
                using var weights = scaled.softmax(-1);
                return weights.matmul(value);
            }
        }
    }
}

/// <summary>How a loss reduces its elementwise values (libtorch's codes).</summary>
public enum Reduction
{
    /// <summary>No reduction: the elementwise losses.</summary>
    None = 0,
    /// <summary>The mean.</summary>
    Mean = 1,
    /// <summary>The sum.</summary>
    Sum = 2,
}
