using System.CommandLine;
using System.Text.Json;
using Diffusion.Runtime.Tests.Support;

namespace Diffusion.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static JsonElement[] Rows(Cli.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.Clone()).ToArray();
    }

    private static JsonDocument Json(Cli.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Output);
    }

    [Fact]
    public async Task EvalRunsTheNewSamplers()
    {
        var result = await Cli.RunAsync("eval", "--model", Cli.DemoModel, "--reference", "ring", "--sampler", "dpmpp,dpmpp-sde,unipc,euler-ancestral,edm",
            "--steps", "8", "--count", "20", "--order", "2", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var name in new[] { "dpmpp ", "dpmpp-sde ", "unipc ", "euler-ancestral ", "edm " })
            Assert.Single(result.Output.Split('\n'), l => l.StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExactRingModelScoresOnTheRing()
    {
        var result = await Cli.RunAsync("eval", "--model", Cli.DemoModel, "--reference", "ring", "--sampler", "heun", "--steps", "5,50",
            "--count", "300", "--device", "cpu", "--format", "json");

        var rows = Rows(result);
        Assert.Equal(["heun/5", "heun/50"], rows.Select(r => $"{r.GetProperty("sampler").GetString()}/{r.GetProperty("steps").GetInt32()}"));
        var (coarse, fine) = (rows[0], rows[1]);
        Assert.Equal(99, fine.GetProperty("nfe").GetInt32()); // Heun: two evaluations a step, one on the last
        Assert.True(fine.GetProperty("within_3_std").GetDouble() > 0.9, fine.ToString());
        Assert.True(fine.GetProperty("mmd2").GetDouble() < 0.002, fine.ToString());
        Assert.True(coarse.GetProperty("mmd2").GetDouble() > 10 * fine.GetProperty("mmd2").GetDouble(), $"{coarse} vs {fine}");
        Assert.True(fine.GetProperty("seconds_per_image").GetDouble() > 0);
    }

    [Fact]
    public async Task SweepIsOneRowPerSamplerAndStepsInEveryFormat()
    {
        string[] args = ["eval", "--model", Cli.DemoModel, "--reference", "ring", "--sampler", "ddim, euler", "--steps", "3,6", "--count", "20", "--device", "cpu"];

        var table = await Cli.RunAsync([.. args, "--format", "table"]);
        var markdown = await Cli.RunAsync([.. args, "--format", "markdown"]);
        using var json = Json(await Cli.RunAsync([.. args, "--format", "json"]));

        Assert.True(table.ExitCode == 0, table.ToString());
        var tableLines = table.Output.Split('\n');
        Assert.Contains(tableLines, l => l.StartsWith("sampler  steps  NFE", StringComparison.Ordinal) && l.Contains("MMD2") && l.Contains("within 3 std") && l.EndsWith("s/image"));
        Assert.Equal(4, tableLines.Count(l => l.StartsWith("ddim ", StringComparison.Ordinal) || l.StartsWith("euler ", StringComparison.Ordinal)));
        var markdownLines = markdown.Output.Split('\n');
        Assert.Contains("| sampler | steps | NFE | MMD2 | within 3 std | s/image |", markdownLines);
        Assert.Contains("|---|---:|---:|---:|---:|---:|", markdownLines);
        Assert.Equal(4, markdownLines.Count(l => l.StartsWith("| ddim | ", StringComparison.Ordinal) || l.StartsWith("| euler | ", StringComparison.Ordinal)));
        var root = json.RootElement;
        Assert.Equal(("ring", "mmd2", 20), (root.GetProperty("reference").GetString(), root.GetProperty("metric").GetString(), root.GetProperty("count").GetInt32()));
        Assert.Equal(["ddim/3", "ddim/6", "euler/3", "euler/6"],
            root.GetProperty("rows").EnumerateArray().Select(r => $"{r.GetProperty("sampler").GetString()}/{r.GetProperty("steps").GetInt32()}"));
    }

    [Fact]
    public async Task CombinationTheSpacingCannotPlaceIsSkippedWithANote()
    {
        var result = await Cli.RunAsync("eval", "--model", Cli.DemoModel, "--reference", "ring", "--sampler", "ddim", "--steps", "4,2000",
            "--count", "10", "--device", "cpu");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("note: ddim at 2000 steps skipped: steps 2000 is more than the model's 1000 training steps", result.Output);
        Assert.Single(result.Output.Split('\n'), l => l.StartsWith("ddim ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SweepWhereNothingRunsIsTheError()
    {
        var result = await Cli.RunAsync("eval", "--model", Cli.DemoModel, "--reference", "ring", "--steps", "2000", "--count", "10", "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: steps 2000 is more than the model's 1000 training steps", result.Error);
        Assert.Empty(result.Output);
    }

    private (string Model, string Classifier) TinyMnistFiles(bool featuresBesideClassifier = true)
    {
        string classifier = TinyMnist.SaveClassifier(_folder.File("classifier.onnx"));
        TinyMnist.SaveFeatures(_folder.File(featuresBesideClassifier ? "mnist-features.npy" : "real.npy"), 2000);
        return (TinyMnist.SaveModel(_folder.File("digits.onnx")), classifier);
    }

    [Fact]
    public async Task MnistShapedModelGetsFdFloorAndClassAccuracy()
    {
        var (model, classifier) = TinyMnistFiles();
        string[] args = ["eval", "--model", model, "--classifier", classifier, "--class", "3", "--sampler", "ddim", "--steps", "20", "--count", "64", "--spacing", "trailing", "--device", "cpu"];

        var table = await Cli.RunAsync(args);
        using var json = Json(await Cli.RunAsync([.. args, "--format", "json"]));

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(table.Output.Split('\n'), l => l.StartsWith("sampler  steps  NFE", StringComparison.Ordinal) && l.Contains(" FD ") && l.Contains("floor") && l.Contains("class acc"));
        Assert.Contains("reference mnist, class 3", table.Output); // the reference came from the model's dataset metadata
        var root = json.RootElement;
        Assert.Equal(("mnist", "fd", 3), (root.GetProperty("reference").GetString(), root.GetProperty("metric").GetString(), root.GetProperty("classes")[0].GetInt32()));
        // The settings given on the command line, so a stored report says how its samples were drawn.
        Assert.Equal([("spacing", "trailing"), ("class", "3")], root.GetProperty("settings").EnumerateObject().Select(p => (p.Name, p.Value.GetString())));
        Assert.Contains("class 3, --spacing trailing, --class 3", table.Output);
        var row = Assert.Single(root.GetProperty("rows").EnumerateArray());
        Assert.Equal(1.0, row.GetProperty("class_accuracy").GetDouble());
        Assert.True(row.GetProperty("floor").GetDouble() > 0, row.ToString());
        // Samples of digit 3 alone are far from all ten digits; the floor is real images of all ten.
        Assert.True(row.GetProperty("fd").GetDouble() > 10 * row.GetProperty("floor").GetDouble(), row.ToString());
    }

    [Fact]
    public async Task UnconditionalSamplesOfTheExactModelScoreNearTheFloor()
    {
        var (model, classifier) = TinyMnistFiles(featuresBesideClassifier: false);

        var result = await Cli.RunAsync("eval", "--model", model, "--classifier", classifier, "--features", _folder.File("real.npy"),
            "--sampler", "ddim", "--steps", "50", "--count", "200", "--device", "cpu", "--format", "json");

        var row = Assert.Single(Rows(result));
        double fd = row.GetProperty("fd").GetDouble(), floor = row.GetProperty("floor").GetDouble();
        Assert.True(fd < 3 * floor, $"FD {fd}, floor {floor}");
        Assert.False(row.TryGetProperty("class_accuracy", out _), row.ToString());
    }

    [Fact]
    public async Task ClassAllCyclesEveryClassAndScoresEachSampleAgainstItsOwn()
    {
        var (model, classifier) = TinyMnistFiles();

        var result = await Cli.RunAsync("eval", "--model", model, "--classifier", classifier, "--class", "all",
            "--sampler", "ddim", "--steps", "20", "--count", "100", "--device", "cpu", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = Json(result);
        Assert.Equal(Enumerable.Range(0, 10), json.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetInt32()));
        var row = Assert.Single(json.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(1.0, row.GetProperty("class_accuracy").GetDouble());
        // All ten digits in equal shares: near the floor, unlike digit 3 alone.
        Assert.True(row.GetProperty("fd").GetDouble() < 3 * row.GetProperty("floor").GetDouble(), row.ToString());
    }

    [Theory]
    [InlineData("three", "error: --class 'three' is not a class label: give a whole number, a comma-separated list like 0,1,2, or all.")]
    [InlineData("2,x", "error: --class 'x' is not a class label: give a whole number, a comma-separated list like 0,1,2, or all.")]
    [InlineData("1,12", "error: class label 12 is out of range: this model has classes 0 to 9.")]
    public async Task BadClassListsAreClearErrors(string classes, string expected)
    {
        var (model, classifier) = TinyMnistFiles();

        var result = await Cli.RunAsync("eval", "--model", model, "--classifier", classifier, "--class", classes, "--steps", "5", "--count", "4", "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.ErrorLines);
    }

    [Fact]
    public async Task MissingClassifierNamesTheFileAndHowToGetIt()
    {
        string model = TinyMnist.SaveModel(_folder.File("digits.onnx"));
        string missing = _folder.File("mnist-classifier.onnx");

        var result = await Cli.RunAsync("eval", "--model", model, "--classifier", missing, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: the MNIST classifier {missing} does not exist: it ships as models/mnist-classifier.onnx with models/mnist-features.npy", error);
        Assert.Contains("--classifier PATH", error);
    }

    [Fact]
    public async Task ModelOfAnotherShapeThanTheClassifierIsRefused()
    {
        var (_, classifier) = TinyMnistFiles();

        var result = await Cli.RunAsync("eval", "--model", Cli.DemoModel, "--reference", "mnist", "--classifier", classifier, "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: the model's samples are [2, 1, 1], but the classifier {classifier} takes [1, 28, 28] images", result.Error);
    }

    [Theory]
    [InlineData("unknown reference", new[] { "--reference", "cifar" }, "error: unknown reference 'cifar': use --reference mnist|ring.")]
    [InlineData("no reference", new string[0], "error: the model does not say what data it was trained on (no 'dataset' in its metadata_props): pass --reference mnist|ring.")]
    [InlineData("unknown format", new[] { "--reference", "ring", "--format", "xml" }, "error: unknown format 'xml': use table, markdown, json.")]
    [InlineData("bad steps", new[] { "--reference", "ring", "--steps", "5,x" }, "error: --steps 'x' is not a whole number of at least 1: give step counts like 5,10,20.")]
    [InlineData("unknown sampler", new[] { "--reference", "ring", "--sampler", "ddim,dpm" }, "error: unknown sampler 'dpm': set --sampler to one of ddpm, ddim, euler, heun, pc, langevin, dpmpp, dpmpp-sde, unipc, euler-ancestral, edm, restart.")]
    public async Task BadInputIsOneLineAndANonZeroExit(string what, string[] args, string expected)
    {
        var result = await Cli.RunAsync(["eval", "--model", Cli.DemoModel, "--device", "cpu", "--count", "8", .. args]);

        Assert.True(result.ExitCode == 1, $"{what}: {result}");
        Assert.Equal([expected], result.ErrorLines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task CancelledEvalStopsBeforeSamplingWithExitCode130()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = await DiffusionCli.InvokeAsync(["eval", "--model", Cli.DemoModel, "--reference", "ring", "--count", "10", "--device", "cpu"],
            output, error, cancellation.Token);

        Assert.Equal(130, code);
        Assert.EndsWith("cancelled.", error.ToString().TrimEnd());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void EvalTakesEveryGenerationOptionOfSample()
    {
        var root = DiffusionCli.Create();
        string[] Names(string command) => root.Subcommands.Single(c => c.Name == command).Options.Select(o => o.Name).ToArray();

        var sampleOnly = Names("sample").Except(Names("eval")).Order();

        Assert.Equal(["--init", "--out"], sampleOnly);
        Assert.Contains("--corrector-steps", Names("eval"));
    }
}
