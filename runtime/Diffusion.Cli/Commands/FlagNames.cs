using System.Text.RegularExpressions;

namespace Diffusion.Cli.Commands;

/// <summary>
/// The library's errors name API members (<c>GenerationOptions.Steps</c>); the CLI user knows
/// flags. Rewrites each member a flag sets into that flag, leaving the rest of the message alone.
/// </summary>
internal static partial class FlagNames
{
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["GenerationOptions.Sampler"] = "--sampler",
        ["GenerationOptions.Steps"] = "--steps",
        ["GenerationOptions.Count"] = "--count",
        ["GenerationOptions.BatchSize"] = "--batch",
        ["GenerationOptions.Noise"] = "--noise",
        ["GenerationOptions.Spacing"] = "--spacing",
        ["GenerationOptions.ClassLabels"] = "--class",
        ["GenerationOptions.GuidanceScale"] = "--guidance",
        ["GenerationOptions.InitialNoise"] = "--init",
        ["SamplerSettings.Eta"] = "--eta",
        ["SamplerSettings.VarianceType"] = "--variance",
        ["SamplerSettings.Snr"] = "--snr",
        ["SamplerSettings.CorrectorSteps"] = "--corrector-steps",
        ["SamplerSettings.Predictor"] = "--predictor",
        ["SamplerSettings.LangevinSteps"] = "--langevin-steps",
        ["SamplerSettings.StepSize"] = "--step-size",
        ["SamplerSettings.Order"] = "--order",
        ["SamplerSettings.SChurn"] = "--s-churn",
        ["SamplerSettings.STMin"] = "--s-tmin",
        ["SamplerSettings.STMax"] = "--s-tmax",
        ["SamplerSettings.SNoise"] = "--s-noise",
        ["SamplerSettings.RestartMin"] = "--restart-min",
        ["SamplerSettings.RestartMax"] = "--restart-max",
        ["SamplerSettings.Restarts"] = "--restarts",
        ["SamplerSettings.RestartSteps"] = "--restart-steps",
        ["ModelLoadOptions.Device"] = "--device",
        ["ModelLoadOptions.Threads"] = "--threads",
        ["ModelLoadOptions.SchedulerConfigPath"] = "--scheduler-config",
        ["ModelLoadOptions.Height"] = "--height",
        ["ModelLoadOptions.Width"] = "--width",
    };

    [GeneratedRegex(@"\b(GenerationOptions|SamplerSettings|ModelLoadOptions)\.[A-Za-z]+\b")]
    private static partial Regex Member();

    /// <summary><paramref name="message"/> with every API member a flag sets replaced by the flag.</summary>
    public static string Translate(string message) =>
        Member().Replace(message, m => Flags.TryGetValue(m.Value, out var flag) ? flag : m.Value);
}
