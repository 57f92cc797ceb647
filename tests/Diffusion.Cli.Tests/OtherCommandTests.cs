using System.Globalization;
using System.Text.RegularExpressions;
using Diffusion.Runtime.Models;

namespace Diffusion.Cli.Tests;

public class OtherCommandTests
{
    [Fact]
    public async Task InfoPrintsInputsScheduleMeaningAndTimestep()
    {
        var result = await Cli.RunAsync("info", Cli.DemoModel, "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] expected =
        [
            $"model:        {Cli.DemoModel}",
            "input:        sample: float32 [batch, 2, 1, 1]",
            "input:        timestep: int64 [batch]",
            "output:       out_sample: float32 [batch, 2, 1, 1]",
            "config:       embedded metadata_props (DDPMScheduler)",
            "schedule:     discrete variance-preserving, T = 1000, beta 0.0001 .. 0.02",
            "prediction:   epsilon",
            "timestep:     training index in [0, 999], fed as int64 (rounded to whole numbers)",
            "clip sample:  no",
            "data range:   [-1.5, 1.5]",
            "classes:      none (unconditional)",
        ];
        var lines = result.Output.Split('\n');
        foreach (var line in expected)
            Assert.Contains(lines, l => l.StartsWith(line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InfoReadsAnExplicitSchedulerConfig()
    {
        using var folder = new TempFolder();
        string config = folder.File("scheduler_config.json");
        File.WriteAllText(config, """{ "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "prediction_type": "v_prediction", "data_min": -3, "data_max": 3 }""");

        var result = await Cli.RunAsync("info", Cli.DemoModel, "--device", "cpu", "--scheduler-config", config, "--threads", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"config:       {config}", result.Output);
        Assert.Contains("prediction:   v_prediction", result.Output);
        Assert.Contains("clip sample:  to +-1", result.Output); // diffusers' default for a DDPM-style config
        Assert.Contains("data range:   [-3, 3]", result.Output);
    }

    [Fact]
    public async Task InfoConfigPrintsTheConfigThatSchedulerConfigReadsBack()
    {
        var result = await Cli.RunAsync("info", Cli.DemoModel, "--device", "cpu", "--config");

        Assert.True(result.ExitCode == 0, result.ToString());
        var printed = SchedulerConfig.Parse(result.Output, "info --config");
        Assert.False(printed.ClipSample);
        Assert.Equal(-1.5, printed.DataMin);

        // Edited and passed back, it is what the runtime then uses.
        using var folder = new TempFolder();
        string edited = folder.File("scheduler_config.json");
        File.WriteAllText(edited, result.Output.Replace("\"clip_sample\": false", "\"clip_sample\": true", StringComparison.Ordinal));
        var reread = await Cli.RunAsync("info", Cli.DemoModel, "--device", "cpu", "--config", "--scheduler-config", edited);
        Assert.Equal(printed with { ClipSample = true }, SchedulerConfig.Parse(reread.Output, "edited"));
    }

    [Fact]
    public async Task InfoWithoutAModelIsOneLine()
    {
        var result = await Cli.RunAsync("info");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["error: Required argument missing for command: 'info'. See 'diffusion info --help'."], result.ErrorLines);
    }

    [Fact]
    public async Task SamplersListsAllSix()
    {
        var result = await Cli.RunAsync("samplers");

        Assert.Equal(0, result.ExitCode);
        var names = result.Output.Split('\n').Select(l => l.Split(' ')[0]).Where(n => n.Length > 0).ToArray();
        Assert.Equal(["ddpm", "ddim", "euler", "heun", "pc", "langevin"], names.Take(6));
        Assert.Contains("--eta", result.Output);
        Assert.Contains("--langevin-steps", result.Output);
    }

    [Fact]
    public async Task BenchPrintsTheFourFigures()
    {
        var result = await Cli.RunAsync("bench", "--model", Cli.DemoModel, "--steps", "6", "--batch", "4", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        double Figure(string label)
        {
            var match = Regex.Match(result.Output, $@"^{Regex.Escape(label)}\s+(\S+)", RegexOptions.Multiline);
            Assert.True(match.Success, $"no '{label}' line in:\n{result.Output}");
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        Assert.True(Figure("raw InferenceSession.Run:") > 0);
        Assert.True(Figure("sampler:") > 0);
        Assert.True(Figure("ratio (per evaluation):") > 0);
        Assert.True(Figure("managed bytes per step:") >= 0);
    }

    [Fact]
    public async Task NoCommandIsOneLine()
    {
        var result = await Cli.RunAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["error: Required command was not provided. See 'diffusion --help'."], result.ErrorLines);
    }
}

public sealed class LikelihoodCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task LikelihoodOfTheDemoModelsOwnSamplesIsReportedInNats()
    {
        string data = _folder.File("ring.npy");
        var sampled = await Cli.RunAsync("sample", "--model", Cli.DemoModel, "--sampler", "dpmpp", "--steps", "20", "--count", "32", "--out", data, "--device", "cpu");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());

        var result = await Cli.RunAsync("likelihood", "--model", Cli.DemoModel, "--data", data, "--rtol", "1e-4", "--atol", "1e-4", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("negative log-likelihood: ", StringComparison.Ordinal));
        Assert.Contains("nats per point", line);
        Assert.DoesNotContain("bits per dimension", result.Output); // 2-D points are not pictures
    }

    [Fact]
    public async Task DataOfTheWrongShapeIsOneLine()
    {
        string data = _folder.File("bad.npy");
        Diffusion.Runtime.IO.NpyFile.Write(data, new float[9], [3, 3]);

        var result = await Cli.RunAsync("likelihood", "--model", Cli.DemoModel, "--data", data, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--data has shape [3, 3]", Assert.Single(result.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal)));
    }
}
