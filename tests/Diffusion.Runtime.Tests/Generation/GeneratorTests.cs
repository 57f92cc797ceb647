using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Generation;

public class GeneratorTests
{
    private static ExactMixtureModel Model(string schedule = "discrete") =>
        new(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs[schedule]);

    private static GenerationOptions Options(string sampler = "ddpm") =>
        new() { Sampler = sampler, Steps = 25, Count = 16, Seed = 99, Settings = new SamplerSettings { Eta = 0.5 } };

    [Theory]
    [InlineData("ddpm")]
    [InlineData("ddim")]
    [InlineData("pc")]
    [InlineData("langevin")]
    public void SameSeedGivesTheSameSamples(string sampler)
    {
        var a = Generator.Generate(Model(), Options(sampler)).Data;
        var b = Generator.Generate(Model(), Options(sampler)).Data;
        Assert.Equal(a, b);
        var c = Generator.Generate(Model(), Options(sampler) with { Seed = 100 }).Data;
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("ddpm")]
    [InlineData("pc")]
    [InlineData("heun")]
    public void SixteenSamplesInBatchesOfFourEqualSixteenAtOnce(string sampler)
    {
        var whole = Generator.Generate(Model(), Options(sampler)).Data;
        var batched = Generator.Generate(Model(), Options(sampler) with { BatchSize = 4 }).Data;
        Assert.Equal(whole, batched);
        var odd = Generator.Generate(Model(), Options(sampler) with { BatchSize = 5 }).Data;
        Assert.Equal(whole, odd);
    }

    [Fact]
    public void GivenInitialNoiseReplacesTheDrawnNoise()
    {
        var noise = new float[16 * 2];
        new BatchNoise(99, 0, 16, 2).Fill(noise);
        var drawn = Generator.Generate(Model(), Options("ddim") with { Settings = new SamplerSettings() }).Data;
        var given = Generator.Generate(Model(), Options("ddim") with { Settings = new SamplerSettings(), Seed = 12345, InitialNoise = noise }).Data;
        Assert.Equal(drawn, given);
    }

    [Fact]
    public void ConcurrentGenerationsOnOneModelMatchSequentialOnes()
    {
        var model = Model();
        var expected = Enumerable.Range(0, 4).Select(i => Generator.Generate(model, Options() with { Seed = (ulong)i }).Data).ToArray();
        var parallel = new float[4][];
        Parallel.For(0, 4, i => parallel[i] = Generator.Generate(model, Options() with { Seed = (ulong)i }).Data);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], parallel[i]);
    }

    [Fact]
    public void ProgressIsReportedForEveryStep()
    {
        var reports = new List<GenerationProgress>();
        Generator.Generate(Model(), Options() with { BatchSize = 8 }, new SynchronousProgress(reports.Add));
        Assert.Equal(2 * 25, reports.Count);
        Assert.Equal(new GenerationProgress(25, 25, 2, 2), reports[^1]);
        Assert.Equal(1.0, reports[^1].Fraction);
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Step == 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Generator.Generate(Model(), Options(), progress, cts.Token));
    }

    [Fact]
    public void NaNInTheModelOutputNamesTheStep()
    {
        var model = new ExactMixtureModel(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"])
        {
            ProduceNaN = p => p.Time < 500,
        };
        var e = Assert.ThrowsAny<DiffusionException>(() => Generator.Generate(model, Options("ddim") with { Spacing = Runtime.Sampling.TimestepSpacing.Linspace }));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("step 14 of 25", e.Message);
    }

    [Theory]
    [InlineData("unknown sampler 'dpm'", "GenerationOptions.Sampler", "dpm", 25, 16, 0.0)]
    [InlineData("GenerationOptions.Steps must lie in 1 to 10000", "GenerationOptions.Steps", "ddim", 0, 16, 0.0)]
    [InlineData("GenerationOptions.Steps must lie in 1 to 10000", "GenerationOptions.Steps", "ddim", 1_000_000_000, 16, 0.0)]
    [InlineData("GenerationOptions.Count must lie in 1 to 10000", "GenerationOptions.Count", "ddim", 25, 0, 0.0)]
    [InlineData("GenerationOptions.Count must lie in 1 to 10000", "GenerationOptions.Count", "ddim", 25, int.MaxValue, 0.0)]
    [InlineData("SamplerSettings.Eta must lie in [0, 1]", "SamplerSettings.Eta", "ddim", 25, 16, 1.5)]
    [InlineData("SamplerSettings.Eta must lie in [0, 1]", "SamplerSettings.Eta", "ddim", 25, 16, -0.1)]
    [InlineData("SamplerSettings.Eta must lie in [0, 1]", "SamplerSettings.Eta", "ddim", 25, 16, double.NaN)]
    public void BadOptionsAreRequestErrorsNamingTheMember(string expected, string member, string sampler, int steps, int count, double eta)
    {
        var e = Assert.Throws<DiffusionRequestException>(() => Generator.Generate(Model(),
            new GenerationOptions { Sampler = sampler, Steps = steps, Count = count, Settings = new SamplerSettings { Eta = eta } }));
        Assert.Contains(expected, e.Message);
        Assert.Equal(member, e.Member);
    }

    [Fact]
    public void ClassLabelOnAnUnconditionalModelIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => Generator.Generate(Model(), Options() with { ClassLabels = [3] }));
        Assert.Contains("not class-conditional", e.Message);
    }

    [Fact]
    public void InitialNoiseOfTheWrongSizeIsAClearError()
    {
        var e = Assert.ThrowsAny<DiffusionException>(() => Generator.Generate(Model(), Options() with { InitialNoise = new float[7] }));
        Assert.Contains("32", e.Message);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
