using FsCheck;
using FsCheck.Fluent;

namespace Diffusion.Cli.Tests;

/// <summary>
/// Every value a user can type for an option of <c>diffusion sample</c>: random and hostile values
/// (NaN, Infinity, huge, negative, empty, garbage) either run or fail with exit code 1 and one
/// <c>error:</c> line of ours; never an "unexpected" exception, never a hang.
/// </summary>
public sealed class CliValueFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly string[] Options =
    [
        "--steps", "--count", "--seed", "--batch", "--eta", "--snr", "--step-size", "--corrector-steps", "--langevin-steps",
        "--guidance", "--class", "--threads", "--device", "--spacing", "--sampler", "--variance", "--predictor", "--order",
        "--solver-type", "--s-churn", "--s-tmin", "--s-tmax", "--s-noise",
    ];

    private static readonly string[] Values =
    [
        "0", "1", "2", "-1", "3", "7", "0.5", "1.5", "-0", "1e308", "-1e308", "1e-320", "NaN", "nan", "Infinity", "-Infinity", "inf", "∞",
        "2147483647", "2147483648", "-2147483648", "9223372036854775808", "18446744073709551616", "", " ", "x", "1,2", "0,1,2",
        "all", "cuda:0", "cuda:-1", "cpu", "auto", "karras", "leading", "ddim", "heun", "edm", "dpmpp", "fixed_large", "bh2", "\0", "--steps",
    ];

    private static readonly Gen<(string Option, string Value)> Cases =
        from option in Gen.Elements(Options)
        from value in Gen.OneOf(Gen.Elements(Values), Gen.Choose(-100, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements(0.0, 1e-9, 0.999, 1.0000001, 12.5, -3.75).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
        select (option, value);

    [Fact]
    public void EveryValueOfEveryOptionRunsOrFailsWithOneLineOfOurs()
    {
        string output = _folder.File("fuzz.npy");
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            // A small, fast base request; the fuzzed option overrides its default. --count is kept
            // small so a valid huge value for another option cannot make a run long.
            string[] baseArgs = ["sample", "--model", Cli.DemoModel, "--device", "cpu", "--threads", "1", "--out", output, "--steps", "4", "--count", "2"];
            var args = baseArgs.Where((a, i) => a != c.Option && (i == 0 || baseArgs[i - 1] != c.Option)).Concat([c.Option, c.Value]).ToArray();
            if (c.Option is "--steps" && long.TryParse(c.Value, out long steps) && steps > 200) args = [.. args, "--sampler", "ddim"];
            var result = Cli.RunAsync(args).GetAwaiter().GetResult();
            bool ok = result.ExitCode == 0
                || (result.ExitCode == 1 && result.ErrorLines.Count(l => l.StartsWith("error: ", StringComparison.Ordinal)) == 1
                    && !result.Error.Contains("unexpected", StringComparison.OrdinalIgnoreCase));
            return ok.Label($"{c.Option} '{c.Value}': {result}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1_500), property);
    }
}
