using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Schedules;
using Diffusion.Server.Batching;
using Diffusion.Server.Hosting;
using Diffusion.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diffusion.Server.Tests.Batching;

/// <summary>The batcher's ONNX entry point runs on the served model's own session: one copy of the weights per model.</summary>
public class OnnxRowDenoiserTests
{
    private static readonly string RingDemo = Path.Combine(RepositoryPaths.Models, "ring-demo.onnx");

    private static (float[] X, TimePoint[] Points) TwoRows(IDiffusionModel model)
    {
        var schedule = model.Config.CreateSchedule();
        return ([0.3f, -0.2f, 1.1f, 0.7f], [schedule.At(schedule.MaxTime), schedule.At(0.5 * (schedule.MinTime + schedule.MaxTime))]);
    }

    [Fact]
    public void DisposingTheModelStopsTheRowsNamingItAndTheSessionOutlivesNeitherOfThem()
    {
        var model = OnnxDiffusionModel.Load(RingDemo, new ModelLoadOptions { Device = "cpu", Threads = 1 });
        var rows = new OnnxRowDenoiser(model);
        var (x, points) = TwoRows(model);
        var denoised = new float[x.Length];
        Assert.Equal(1, rows.Denoise(x, points, [], denoised));
        Assert.All(denoised, v => Assert.True(float.IsFinite(v)));

        model.Dispose();

        // A session of its own would go on answering; the model's refuses once the model is disposed.
        var error = Assert.Throws<ObjectDisposedException>(() => rows.Denoise(x, points, [], denoised));
        Assert.Contains("disposed", error.Message);
        rows.Dispose();
        rows.Dispose();
    }

    [Fact]
    public void DisposingTheRowsLeavesTheModelGeneratingAsBefore()
    {
        using var model = OnnxDiffusionModel.Load(RingDemo, new ModelLoadOptions { Device = "cpu", Threads = 1 });
        var options = new GenerationOptions { Sampler = "ddim", Steps = 10, Count = 8, Seed = 4 };
        var before = Generator.Generate(model, options).Data;

        var rows = new OnnxRowDenoiser(model);
        var (x, points) = TwoRows(model);
        rows.Denoise(x, points, [], new float[x.Length]);
        rows.Dispose();

        Assert.Equal(before, Generator.Generate(model, options).Data);
    }

    [Fact]
    public void AServedModelRunsWithItsSessionEntriesAndOneOnnxRuntimeRefusesIsNamed()
    {
        var loaded = ModelRegistration.Onnx("ring", RingDemo, new ModelLoadOptions { Device = "cpu", Threads = 1 }).Load(NullLoggerFactory.Instance);
        try
        {
            var (x, points) = TwoRows(loaded.Model);
            Assert.Equal(1, loaded.Rows.Denoise(x, points, [], new float[x.Length]));
        }
        finally
        {
            loaded.Owned?.Dispose();
        }

        // ONNX Runtime refuses an empty key (or one over 128 characters).
        var bad = new ModelLoadOptions { Device = "cpu", SessionConfigEntries = new Dictionary<string, string> { [""] = "1" } };
        var error = Assert.Throws<Runtime.DiffusionRequestException>(() => ModelRegistration.Onnx("ring", RingDemo, bad).Load(NullLoggerFactory.Instance));
        Assert.Contains("ONNX Runtime refused the session config entry '' = '1'", error.Message);
        Assert.Equal("ModelLoadOptions.SessionConfigEntries", error.Member);
    }
}
