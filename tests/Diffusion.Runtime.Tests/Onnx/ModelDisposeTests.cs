using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Runtime.Tests.Onnx;

/// <summary>
/// Disposing a model never takes the process down: calls after Dispose throw
/// <see cref="ObjectDisposedException"/>, calls in flight are stopped, and the native session is
/// freed only after the last denoiser using it lets go.
/// </summary>
public sealed class ModelDisposeTests : IClassFixture<ModelDisposeTests.ModelFile>
{
    /// <summary>One small exact-mixture model on disk for every test of the class.</summary>
    public sealed class ModelFile : IDisposable
    {
        private readonly TempFolder _folder = new();

        public ModelFile() => Path = OnnxMixtures.Cases[0].Save(_folder.File("model.onnx"));

        public string Path { get; }

        public void Dispose() => _folder.Dispose();
    }

    private readonly string _path;

    public ModelDisposeTests(ModelFile file) => _path = file.Path;

    private OnnxDiffusionModel Load() => OnnxDiffusionModel.Load(_path, new ModelLoadOptions { Device = "cpu", Threads = 1 });

    private static GenerationOptions Options(int steps = 10) => new() { Steps = steps, Count = 4, Sampler = "ddpm", Spacing = Runtime.Sampling.TimestepSpacing.Linspace };

    [Fact]
    public void GeneratingFromADisposedModelIsObjectDisposed()
    {
        var model = Load();
        model.Dispose();
        model.Dispose(); // twice is fine
        var e = Assert.Throws<ObjectDisposedException>(() => Generator.Generate(model, Options()));
        Assert.Contains("disposed", e.Message);
    }

    [Fact]
    public void ADenoiserUsedAfterItsModelWasDisposedIsObjectDisposedAndStillFreesCleanly()
    {
        var model = Load();
        var denoiser = model.CreateDenoiser(4, null, CancellationToken.None);
        model.Dispose();
        var x = new float[4 * model.SampleShape.Size];
        Assert.Throws<ObjectDisposedException>(() => denoiser.Denoise(x, model.Schedule.At(500), new float[x.Length]));
        denoiser.Dispose(); // the last reference: frees the session now
        denoiser.Dispose();
    }

    [Fact]
    public async Task DisposeBetweenTwoStepsOfAGenerationStopsItWithObjectDisposed()
    {
        var model = Load();
        using var atStepTwo = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Step != 2) return;
            atStepTwo.Set();
            disposed.Wait();
        });
        var generation = Task.Run(() => Generator.Generate(model, Options(steps: 100), progress));
        Assert.True(atStepTwo.Wait(TimeSpan.FromSeconds(30)));
        model.Dispose();
        disposed.Set();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generation);
    }

    private sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }

    /// <summary>
    /// Thousands of rounds: each loads the model, starts three generations on it from other
    /// threads, and disposes it at a random moment. Every generation either completes with the
    /// same samples as an undisturbed run or fails with ObjectDisposedException; nothing else, no crash.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task DisposingAtRandomMomentsUnderConcurrentGenerationsNeverCrashes()
    {
        const int rounds = 2_000;
        float[] expected;
        using (var reference = Load()) expected = Generator.Generate(reference, Options(steps: 6)).Data;
        var random = new Random(12345);
        int completed = 0, disposed = 0;
        for (int round = 0; round < rounds; round++)
        {
            var model = Load();
            int delay = random.Next(0, 400);
            var generations = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Generator.Generate(model, Options(steps: 6)))).ToArray();
            Thread.SpinWait(delay * 50);
            model.Dispose();
            foreach (var g in generations)
            {
                try
                {
                    Assert.Equal(expected, (await g).Data);
                    completed++;
                }
                catch (ObjectDisposedException)
                {
                    disposed++;
                }
            }
        }
        Assert.Equal(3 * rounds, completed + disposed);
        // Both outcomes occur, so the disposal really lands before, during and after generations.
        Assert.True(completed > 0 && disposed > 0, $"completed {completed}, disposed {disposed}");
    }
}
