using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Runtime.Models;
using Diffusion.Training.Data;
using Diffusion.Training.Objectives;

namespace Diffusion.Training.Training;

/// <summary>
/// Everything that defines a run: the data, the objective, the network and the options, and the
/// model's full scheduler config (the objective's noise process plus the data's range, shape and
/// classes). A checkpoint stores it whole, so a resumed run or an export needs nothing else.
/// </summary>
/// <param name="Dataset">Which data to load.</param>
/// <param name="Objective">The objective's name (<see cref="ObjectiveRegistry"/>).</param>
/// <param name="ModelConfig">The config the trained model is sampled (and exported) with.</param>
/// <param name="Network">The architecture.</param>
/// <param name="Options">How to train.</param>
public sealed record TrainingRun(DatasetSpec Dataset, string Objective, SchedulerConfig ModelConfig, NetworkSpec Network, TrainingOptions Options)
{
    /// <summary>Which noise levels the objective draws and how it weights them (<see cref="NoiseLevelRecipe.Own"/> for its own).</summary>
    public NoiseLevelRecipe NoiseLevels { get; init; } = NoiseLevelRecipe.Own;

    /// <summary>The run of <paramref name="objective"/> on <paramref name="dataset"/>, loaded from <paramref name="datasetSpec"/>.</summary>
    /// <exception cref="DiffusionException">The options are invalid, or class conditioning was asked of unlabelled data.</exception>
    public static TrainingRun Create(DatasetSpec datasetSpec, Dataset dataset, IObjective objective, NetworkSpec network, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ClassConditional && dataset.Labels is null)
        {
            throw new DiffusionException($"class-conditional training needs labels, and dataset '{dataset.Name}' has none: pass --labels PATH.npy with a .npy dataset.");
        }
        return new TrainingRun(datasetSpec, objective.Name, ModelConfigFor(objective.SchedulerConfig, dataset, options.ClassConditional), network, options)
        {
            NoiseLevels = (objective as DenoisingObjective)?.Recipe ?? NoiseLevelRecipe.Own,
        };
    }

    /// <summary>
    /// The objective's config completed with what the data says: its range (<c>data_min</c>,
    /// <c>data_max</c>, and clipping of x0 estimates to it), its sample shape, and its classes (the
    /// null label being <c>num_classes</c>) when the model is class-conditional.
    /// </summary>
    public static SchedulerConfig ModelConfigFor(SchedulerConfig objectiveConfig, Dataset dataset, bool classConditional)
    {
        ArgumentNullException.ThrowIfNull(objectiveConfig);
        ArgumentNullException.ThrowIfNull(dataset);
        double min = Shortest(dataset.Range.Min), max = Shortest(dataset.Range.Max);
        var config = objectiveConfig with
        {
            DataMin = min,
            DataMax = max,
            ClipSample = true,
            ClipSampleRange = Math.Max(Math.Abs(min), Math.Abs(max)),
            NumClasses = classConditional ? dataset.ClassCount : 0,
            NullClassLabel = classConditional ? dataset.ClassCount : null,
            SampleSize = dataset.Height == dataset.Width ? dataset.Height : null,
            InChannels = dataset.Channels,
        };
        config.Validate();
        return config;
    }

    /// <summary>The double a float prints as (1.4f is 1.4, not 1.39999997615814), for a readable config.</summary>
    internal static double Shortest(float value) => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
