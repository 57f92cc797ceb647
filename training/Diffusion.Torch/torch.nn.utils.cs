namespace Diffusion.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Training utilities.</summary>
        public static class utils
        {
            /// <summary>
            /// Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of all gradients
            /// concatenated (Pascanu et al. 2013). Returns ‖g‖ before clipping.
            /// </summary>
            public static double clip_grad_norm_(IEnumerable<Parameter> parameters, double maxNorm)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max norm must be positive, got {maxNorm}");
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
                if (grads.Count == 0) return 0;
                var norms = grads.Select(g => g.norm()).ToList();
                double total = stack(norms).norm().item<double>();
                double coefficient = maxNorm / (total + 1e-6);
                if (coefficient < 1)
                {
                    foreach (var g in grads) g.mul_(coefficient);
                }
                return total;
            }
        }
    }
}
