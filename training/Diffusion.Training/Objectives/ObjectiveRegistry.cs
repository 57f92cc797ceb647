using Diffusion.Runtime;
using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;

namespace Diffusion.Training.Objectives;

/// <summary>The objectives by name: created from options, or restored from the config a checkpoint stores.</summary>
public static class ObjectiveRegistry
{
    /// <summary>The objective names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ddpm", "ncsn", "vp", "subvp", "ve"];

    /// <summary>Creates the objective <see cref="ObjectiveOptions.Name"/>.</summary>
    /// <exception cref="DiffusionException">The name is unknown or a setting is out of range.</exception>
    public static IObjective Create(ObjectiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Name switch
        {
            "ddpm" => DdpmObjective.Create(options.Timesteps, options.BetaSchedule, options.BetaStart, options.BetaEnd,
                options.Prediction ?? PredictionType.Epsilon, options.TimestepInput ?? TimestepInput.Index, options.Recipe),
            "ncsn" => NcsnObjective.Create(RequireLevels(options.Levels), options.SigmaMin, options.SigmaMax,
                options.TimestepInput ?? TimestepInput.LogSigma, options.Prediction ?? PredictionType.Score, options.Recipe),
            "vp" or "subvp" or "ve" => ScoreSdeObjective.Create(options.Name, options.BetaMin, options.BetaMax, options.SigmaMin, options.SigmaMax,
                options.Eps, options.TimestepInput, options.Prediction, options.Recipe),
            _ => throw Unknown(options.Name),
        };
    }

    /// <summary>Restores the objective <paramref name="name"/> trained with <paramref name="config"/> and <paramref name="recipe"/>.</summary>
    /// <exception cref="DiffusionException">The name is unknown or does not fit the config.</exception>
    public static IObjective Restore(string name, SchedulerConfig config, NoiseLevelRecipe? recipe = null) => name switch
    {
        "ddpm" => new DdpmObjective(config, recipe),
        "ncsn" => new NcsnObjective(config, recipe),
        "vp" or "subvp" or "ve" when config.NoiseSchedule == name => new ScoreSdeObjective(config, recipe),
        "vp" or "subvp" or "ve" => throw new DiffusionException($"the {name} objective does not fit noise_schedule '{config.NoiseSchedule}'."),
        _ => throw Unknown(name),
    };

    private static int RequireLevels(int levels) =>
        levels >= 2 ? levels : throw new DiffusionException($"ncsn needs at least 2 noise levels, got {levels}.");

    private static DiffusionException Unknown(string name) =>
        new($"unknown objective '{name}': use one of {string.Join(", ", Names)}.");
}
