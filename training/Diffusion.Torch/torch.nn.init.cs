namespace Diffusion.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Weight initialisers, in place and without recording gradients (PyTorch's torch.nn.init).</summary>
        public static class init
        {
            /// <summary>Inputs per output unit: dim 1 times the receptive field (kernel) size.</summary>
            public static long FanIn(Tensor weight)
            {
                var shape = weight.shape;
                if (shape.Length < 2) throw new ArgumentException($"fan-in needs a weight with at least 2 dimensions, got {shape.Length}", nameof(weight));
                long receptive = 1;
                for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
                return shape[1] * receptive;
            }

            /// <summary>He et al. 2015 uniform init for a leaky-ReLU slope <paramref name="a"/>:
            /// U(−b, b) with b = gain·√(3 / fan_in), gain = √(2 / (1 + a²)). With a = √5 (what torch's Linear
            /// and Conv2d use) b = 1/√fan_in.</summary>
            public static Tensor kaiming_uniform_(Tensor weight, double a = 0, Generator? generator = null)
            {
                double gain = Math.Sqrt(2.0 / (1 + a * a));
                double bound = gain * Math.Sqrt(3.0 / FanIn(weight));
                return weight.uniform_(-bound, bound, generator);
            }

            /// <summary>U(<paramref name="low"/>, <paramref name="high"/>).</summary>
            public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1, Generator? generator = null) =>
                tensor.uniform_(low, high, generator);

            /// <summary>N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null) =>
                tensor.normal_(mean, std, generator);

            /// <summary>Fills with zeros.</summary>
            public static Tensor zeros_(Tensor tensor)
            {
                using (no_grad()) return tensor.zero_();
            }

            /// <summary>Fills with ones.</summary>
            public static Tensor ones_(Tensor tensor)
            {
                using (no_grad()) return tensor.fill_(1);
            }
        }
    }
}
