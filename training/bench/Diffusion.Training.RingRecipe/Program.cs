// Usage: Diffusion.Training.RingRecipe SAMPLING WEIGHTING SEED [STEPS=4000] [OBJECTIVE=vp] [HIDDEN=128] [P_MEAN=-1.2] [P_STD=1.2]
// Trains the CLI's default 2-D recipe (MLP 128 x 3, batch 256, Adam lr 2e-3, warm-up 100, clip 1, EMA 0.999) on
// 100,000 points of 8 Gaussians of std 0.05 on the unit circle, draws 4,000 samples of the EMA network with
// Heun at 100 steps, assigns each to its nearest mean and prints, per component, the std (pooled over x and y)
// over 0.05 and the share of samples. One line per run: "RESULT sampling weighting seed max_ratio mean_ratio max_weight_error".
using System.Diagnostics;
using System.Globalization;
using Diffusion.Runtime.Generation;
using Diffusion.Torch;
using Diffusion.Training.Data.Toy;
using Diffusion.Training.Networks;
using Diffusion.Training.Objectives;
using Diffusion.Training.Training;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string samplingName = args[0], weightingName = args[1];
ulong seed = ulong.Parse(args[2], CultureInfo.InvariantCulture);
long steps = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 4000;
string objectiveName = args.Length > 4 ? args[4] : "vp";
int hidden = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 128;
double pMean = args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : -1.2;
double pStd = args.Length > 7 ? double.Parse(args[7], CultureInfo.InvariantCulture) : 1.2;
torch.set_num_threads(1);

var ring = new RingOfGaussians(std: 0.05);
var data = ring.Generate(100_000, seed: (long)seed);
var spec = new DatasetSpec { Name = "ring" };
var recipe = new NoiseLevelRecipe
{
    Sampling = NoiseLevelRecipe.ParseSampling(samplingName),
    Weighting = NoiseLevelRecipe.ParseWeighting(weightingName),
    PMean = pMean,
    PStd = pStd,
    SigmaData = Math.Sqrt(0.5 + 0.05 * 0.05), // the ring's per-coordinate std
};
var objective = ObjectiveRegistry.Create(new ObjectiveOptions
{
    Name = objectiveName,
    Recipe = recipe,
    SigmaMax = objectiveName is "ve" or "ncsn" ? NoiseLevelHeuristics.MaxPairwiseDistance(data) : 50,
});
var options = new TrainingOptions
{
    Steps = steps, BatchSize = 256, LearningRate = 2e-3, WarmupSteps = 100, GradClip = 1, EmaDecay = 0.999, Seed = seed,
    CheckpointEvery = 1_000_000, PreviewEvery = 0, LogEvery = 1000,
};
var run = TrainingRun.Create(spec, data, objective, NetworkSpec.Mlp(new MlpDenoiserConfig { DataDimension = 2, HiddenWidth = hidden }), options);
string folder = Path.Combine(Path.GetTempPath(), $"ring-recipe-{Environment.ProcessId}-{Guid.NewGuid():N}");
try
{
    var clock = Stopwatch.StartNew();
    using var trainer = Trainer.Start(run, data, folder);
    var result = trainer.Train();
    double trainSeconds = clock.Elapsed.TotalSeconds;
    var samples = Diffusion.Runtime.Generation.Generator.Generate(trainer.DiffusionModel(), new GenerationOptions { Sampler = "heun", Steps = 100, Count = 4000, Seed = 1000 + seed });
    var (ratios, weights) = Components(samples.Data, ring);
    double maxRatio = ratios.Max(), meanRatio = ratios.Average(), maxWeightError = weights.Max(w => Math.Abs(w - 1.0 / ring.Components));
    Console.WriteLine($"{objectiveName} {recipe}: seed {seed}, {result.Step} steps in {trainSeconds:F0} s, loss {result.Loss:F4}");
    Console.WriteLine($"  std ratios {string.Join(" ", ratios.Select(r => r.ToString("F2")))}; weights {string.Join(" ", weights.Select(w => w.ToString("F3")))}");
    Console.WriteLine($"RESULT {objectiveName} {samplingName} {weightingName} {seed} {hidden} {maxRatio:F3} {meanRatio:F3} {maxWeightError:F4} {pMean} {pStd}");
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// Each sample goes to its nearest mean; a component's std is the root mean square deviation per coordinate.
static (double[] Ratios, double[] Weights) Components(float[] points, RingOfGaussians ring)
{
    int k = ring.Components, n = points.Length / 2;
    var sum = new double[k];
    var count = new int[k];
    for (int i = 0; i < n; i++)
    {
        double x = points[2 * i], y = points[2 * i + 1];
        int best = 0;
        double bestDistance = double.MaxValue;
        for (int c = 0; c < k; c++)
        {
            double d = (x - ring.Means[c].X) * (x - ring.Means[c].X) + (y - ring.Means[c].Y) * (y - ring.Means[c].Y);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        sum[best] += bestDistance;
        count[best]++;
    }
    return ([.. Enumerable.Range(0, k).Select(c => Math.Sqrt(sum[c] / Math.Max(1, 2 * count[c])) / ring.Std)],
        [.. Enumerable.Range(0, k).Select(c => (double)count[c] / n)]);
}
