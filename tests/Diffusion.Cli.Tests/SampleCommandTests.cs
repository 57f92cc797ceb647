using System.Buffers.Binary;
using System.Text;
using Diffusion.Runtime.IO;

namespace Diffusion.Cli.Tests;

public sealed class SampleCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task DefaultModelWritesAPngAndPrintsItsPath()
    {
        string path = _folder.File("samples.png");

        var result = await Cli.RunAsync("sample", "--out", path, "--steps", "20");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"wrote 16 samples to {path}", result.Output);
        Assert.Contains(Cli.DefaultModel, result.Error); // the default model, named on stderr
        var png = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        // 16 digits of 28 x 28, drawn twice as large, in a 4 x 4 grid with 2-pixel gaps.
        Assert.Equal(4 * 56 + 3 * 2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(4 * 56 + 3 * 2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public async Task WithoutSamplerOrStepsTheShippedModelSamplesWithTheMeasuredDefault()
    {
        // Its config names no diffusers class, so the runtime's default runs: restart sampling at 12 steps,
        // 20 model evaluations with its one restart (docs/quality.md, "Quality per model evaluation").
        var result = await Cli.RunAsync("sample", "--count", "2", "--out", _folder.File("default.png"), "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(restart, 12 steps, 20 model evaluations", result.Output);
    }

    [Fact]
    public async Task NpyOutputIsFloat32ShapedNchw()
    {
        string path = _folder.File("samples.npy");

        var result = await Cli.RunAsync("sample", "--model", Cli.DemoModel, "--out", path, "--count", "5", "--steps", "10", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        var array = NpyFile.Read(path);
        Assert.Equal([5, 2, 1, 1], array.Shape);
        Assert.Contains("'descr': '<f4'", Encoding.ASCII.GetString(File.ReadAllBytes(path), 0, 128));
        Assert.All(array.Data, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 3, $"sample value {v}"));
    }

    [Fact]
    public async Task InitialNoiseFileFixesTheSamplesWhateverTheSeed() // with a deterministic sampler: the demo model's DDPMScheduler config alone would pick ddpm
    {
        string init = _folder.File("init.npy");
        var noise = new float[4 * 2];
        for (int i = 0; i < noise.Length; i++) noise[i] = (float)Math.Sin(i + 1);
        NpyFile.Write(init, noise, [4, 2, 1, 1]);

        string Out(string name) => _folder.File(name);
        var a = await Cli.RunAsync("sample", "--model", Cli.DemoModel, "--init", init, "--sampler", "ddim", "--count", "4", "--seed", "1", "--out", Out("a.npy"), "--device", "cpu");
        var b = await Cli.RunAsync("sample", "--model", Cli.DemoModel, "--init", init, "--sampler", "ddim", "--count", "4", "--seed", "2", "--out", Out("b.npy"), "--device", "cpu");

        Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a + "\n" + b);
        Assert.Equal(NpyFile.Read(Out("a.npy")).Data, NpyFile.Read(Out("b.npy")).Data);
    }

    [Fact]
    public async Task InitialNoiseOfTheWrongShapeIsAnError()
    {
        string init = _folder.File("init.npy");
        NpyFile.Write(init, new float[3 * 2], [3, 2, 1, 1]);

        var result = await Cli.RunAsync("sample", "--model", Cli.DemoModel, "--init", init, "--count", "5", "--out", _folder.File("out.npy"), "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Equal($"error: --init {init} has shape [3, 2, 1, 1], but 5 samples of this model need [5, 2, 1, 1].", line);
        Assert.False(File.Exists(_folder.File("out.npy")));
    }

    [Theory]
    [InlineData("a folder", "error: cannot write {0}: it is a folder; give a file name with --out.")]
    [InlineData("a name too long", "error: Cannot write '{0}': ")]
    public async Task AnOutputThatCannotBeWrittenFailsBeforeSamplingAndLeavesNothing(string what, string expected)
    {
        string path = what == "a folder"
            ? Directory.CreateDirectory(_folder.File("folder.png")).FullName
            : _folder.File(new string('x', 260) + ".png");

        var result = await Cli.RunAsync("sample", "--out", path, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines); // one line and nothing else: no model was loaded, no step was run
        Assert.StartsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, path), line);
        Assert.Empty(result.Output);
        Assert.Equal(what == "a folder" ? ["folder.png"] : [], _folder.Entries());
    }

    [Fact]
    public async Task MissingOutputFolderFailsBeforeSampling()
    {
        string path = Path.Combine(_folder.Path, "no-such-folder", "samples.png");

        var result = await Cli.RunAsync("sample", "--out", path, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        // One line and nothing else: no model was loaded, no step was run.
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"error: cannot write {path}: folder ", line);
        Assert.Contains("does not exist", line);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("unknown sampler", new[] { "--sampler", "dpm++" }, "error: unknown sampler 'dpm++': set --sampler to one of ddpm, ddim, euler, heun, pc, langevin, dpmpp, dpmpp-sde, unipc, euler-ancestral, edm, restart.")]
    [InlineData("unknown spacing", new[] { "--spacing", "even" }, "error: unknown spacing 'even': use one of leading, trailing, linspace, karras, uniform.")]
    [InlineData("unknown noise", new[] { "--noise", "numpy" }, "error: unknown noise 'numpy': use one of per-sample, torch.")]
    [InlineData("torch noise over several batches", new[] { "--noise", "torch", "--count", "16", "--batch", "4" }, "error: torch-compatible noise (--noise) is one stream over the whole generation, so every sample must be in one batch: set --batch to at least 16, or generate at most 4 samples (--count).")]
    [InlineData("unknown device", new[] { "--device", "tpu" }, "error: unknown device 'tpu': set --device to auto, cpu, cuda or cuda:N.")]
    [InlineData("no threads", new[] { "--threads", "0" }, "error: --threads must lie in 1 to 1024 (ModelLoadOptions.MaxThreads), got 0.")]
    [InlineData("too many samples", new[] { "--count", "2000000000" }, "error: --count must lie in 1 to 10000 (GenerationLimits.MaxCount), got 2000000000.")]
    [InlineData("steps below one", new[] { "--steps", "0" }, "error: --steps must lie in 1 to 10000 (GenerationLimits.MaxSteps), got 0.")]
    [InlineData("eta above one", new[] { "--eta", "1.5" }, "error: --eta must lie in [0, 1], got 1.5.")]
    [InlineData("restart interval upside down", new[] { "--sampler", "restart", "--restart-min", "3" }, "error: --restart-min (3) and --restart-max (2) must satisfy 0 < min < max < infinity.")]
    [InlineData("class on an unconditional model", new[] { "--class", "2" }, "error: class label 2 was given, but this model is not class-conditional (num_classes is 0): do not set --class.")]
    [InlineData("unknown option", new[] { "--bogus" }, "error: Unrecognized command or argument '--bogus'. See 'diffusion sample --help'.")]
    [InlineData("not a number", new[] { "--steps", "many" }, "error: Cannot parse argument 'many' for option '--steps' as expected type 'System.Int32'. See 'diffusion sample --help'.")]
    [InlineData("wrong extension", new[] { "--out", "samples.jpg" }, "error: output samples.jpg must end in .png or .npy.")]
    public async Task BadInputIsOneLineAndANonZeroExit(string what, string[] args, string expected)
    {
        string[] defaults = ["--model", Cli.DemoModel, "--device", "cpu", "--out", _folder.File("x.npy")];
        var unset = defaults.Chunk(2).Where(pair => !args.Contains(pair[0])).SelectMany(pair => pair);
        var result = await Cli.RunAsync(["sample", .. unset, .. args]);

        Assert.True(result.ExitCode != 0, $"{what}: {result}");
        Assert.Equal([expected], result.ErrorLines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.DoesNotContain(result.ErrorLines, l => l.Contains("Usage", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task MissingModelIsOneLine()
    {
        var result = await Cli.RunAsync("sample", "--model", _folder.File("nope.onnx"), "--out", _folder.File("x.npy"), "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"error: model file {_folder.File("nope.onnx")} does not exist", line);
    }
}
