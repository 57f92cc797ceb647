using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Generation;

/// <summary><see cref="NoiseKind.Torch"/>: one torch stream per generation, drawn in a diffusers pipeline's order.</summary>
public class TorchNoiseGenerationTests
{
    private const int Count = 16, Size = 2;

    private static ExactMixtureModel Model() => new(StandardMixtures.ThreeComponents, ExactMixtureModel.Configs["discrete"]);

    private static GenerationOptions Options(ISampler sampler) =>
        new() { CustomSampler = sampler, Steps = 5, Count = Count, Seed = 21, Noise = NoiseKind.Torch };

    [Fact]
    public void InitialNoiseComesFirstThenEachStepsNoise()
    {
        var recorder = new NoiseRecorder(draws: 2);
        Generator.Generate(Model(), Options(recorder));

        var torch = new TorchGenerator(21);
        float[][] expected = [new float[Count * Size], new float[Count * Size], new float[Count * Size]];
        foreach (var draw in expected) torch.Fill(draw);
        Assert.Equal(expected[0], recorder.Initial); // the prior of this VP model has standard deviation 1
        Assert.Equal(expected[1], recorder.Draws[0]);
        Assert.Equal(expected[2], recorder.Draws[1]);
    }

    [Fact]
    public void GivenInitialNoiseLeavesTheStreamToTheSteps()
    {
        var recorder = new NoiseRecorder(draws: 1);
        var initial = Enumerable.Range(0, Count * Size).Select(i => i / 32f).ToArray();
        Generator.Generate(Model(), Options(recorder) with { InitialNoise = initial });

        var expected = new float[Count * Size];
        new TorchGenerator(21).Fill(expected);
        Assert.Equal(initial, recorder.Initial);
        Assert.Equal(expected, recorder.Draws[0]);
    }

    [Fact]
    public void TorchNoiseDiffersFromPerSampleNoiseAndKeepsItsSeed()
    {
        var options = new GenerationOptions { Sampler = "ddpm", Steps = 10, Count = Count, Seed = 3 };
        var perSample = Generator.Generate(Model(), options).Data;
        var torch = Generator.Generate(Model(), options with { Noise = NoiseKind.Torch }).Data;
        Assert.NotEqual(perSample, torch);
        Assert.Equal(torch, Generator.Generate(Model(), options with { Noise = NoiseKind.Torch }).Data);
        Assert.Equal(perSample, Generator.Generate(Model(), options with { Noise = NoiseKind.PerSample }).Data);
    }

    [Fact]
    public void MoreSamplesThanOneBatchIsAnErrorNamingTheFix()
    {
        var options = new GenerationOptions { Sampler = "ddpm", Steps = 10, Count = Count, BatchSize = 4, Noise = NoiseKind.Torch };
        var e = Assert.Throws<DiffusionRequestException>(() => Generator.Generate(Model(), options));
        Assert.Equal("GenerationOptions.BatchSize", e.Member);
        Assert.Contains("GenerationOptions.BatchSize to at least 16", e.Message);
        Assert.Contains("at most 4 samples", e.Message);
    }

    [Fact]
    public void AnUndefinedNoiseKindIsAnError()
    {
        var options = new GenerationOptions { Sampler = "ddpm", Steps = 10, Count = Count, Noise = (NoiseKind)7 };
        var e = Assert.Throws<DiffusionRequestException>(() => Generator.Generate(Model(), options));
        Assert.Equal("GenerationOptions.Noise", e.Member);
    }

    [Theory]
    [InlineData("torch", NoiseKind.Torch)]
    [InlineData("Per-Sample", NoiseKind.PerSample)]
    public void NoiseNamesParseAndRoundTrip(string name, NoiseKind kind)
    {
        Assert.Equal(kind, NoiseKindNames.Parse(name));
        Assert.Equal(kind, NoiseKindNames.Parse(kind.Name()));
        Assert.Throws<DiffusionRequestException>(() => NoiseKindNames.Parse("numpy"));
    }

    /// <summary>Records the sample it is handed and the noise it draws; changes nothing.</summary>
    private sealed class NoiseRecorder(int draws) : ISampler
    {
        public float[] Initial { get; private set; } = [];
        public List<float[]> Draws { get; } = [];
        public string Name => "noise-recorder";
        public string Summary => "records noise";
        public IReadOnlyList<string> Options => [];
        public int ModelEvaluations(int steps, SamplerSettings settings) => 0;

        public void Run(SamplerRun run)
        {
            Initial = (float[])run.Sample.Clone();
            for (int i = 0; i < draws; i++)
            {
                var noise = new float[run.Sample.Length];
                run.DrawNoise(noise);
                Draws.Add(noise);
            }
        }
    }
}
