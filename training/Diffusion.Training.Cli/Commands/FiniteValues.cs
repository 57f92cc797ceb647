using System.CommandLine;
using System.Globalization;

namespace Diffusion.Training.Cli.Commands;

/// <summary>Rejects Infinity and NaN given to a floating-point option at parse time, with a message naming the option
/// (System.CommandLine parses "Infinity", "-Infinity" and "NaN" as doubles, which would fail later and be blamed on the model).</summary>
internal static class FiniteValues
{
    /// <summary>Adds the check to <paramref name="option"/> when it takes a double; other options are left alone.</summary>
    public static void Require(Option option)
    {
        switch (option)
        {
            case Option<double> value:
                value.Validators.Add(result => Check(result, value.Name, result.GetValueOrDefault<double>()));
                break;
            case Option<double?> nullable:
                nullable.Validators.Add(result => Check(result, nullable.Name, result.GetValueOrDefault<double?>()));
                break;
        }
    }

    private static void Check(System.CommandLine.Parsing.OptionResult result, string name, double? value)
    {
        if (value is { } v && !double.IsFinite(v))
            result.AddError($"{name} must be a finite number, got {v.ToString(CultureInfo.InvariantCulture)}.");
    }
}
