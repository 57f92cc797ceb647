using Diffusion.Runtime.Denoising;
using Diffusion.Runtime.Models;

namespace Diffusion.Training.Objectives;

/// <summary>
/// The settings of every objective, as a command line gives them; each objective reads its own.
/// Null prediction and timestep input take the objective's default.
/// </summary>
public sealed record ObjectiveOptions
{
    /// <summary>ddpm, ncsn, vp, subvp or ve.</summary>
    public string Name { get; init; } = "ddpm";

    /// <summary>What the network predicts; null for the objective's default (epsilon, or score for ncsn and ve).</summary>
    public PredictionType? Prediction { get; init; }

    /// <summary>What the network is conditioned on; null for the objective's default (index, t, or log_sigma for ncsn and ve).</summary>
    public TimestepInput? TimestepInput { get; init; }

    /// <summary>ddpm: T.</summary>
    public int Timesteps { get; init; } = 1000;

    /// <summary>ddpm: linear, scaled_linear or squaredcos_cap_v2.</summary>
    public string BetaSchedule { get; init; } = "linear";

    /// <summary>ddpm: first beta of the linear schedules.</summary>
    public double BetaStart { get; init; } = 1e-4;

    /// <summary>ddpm: last beta of the linear schedules.</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>ncsn: the number of noise levels L.</summary>
    public int Levels { get; init; } = 10;

    /// <summary>ncsn and ve: the smallest noise level.</summary>
    public double SigmaMin { get; init; } = 0.01;

    /// <summary>ncsn and ve: the largest noise level.</summary>
    public double SigmaMax { get; init; } = 50;

    /// <summary>vp and subvp: beta(0).</summary>
    public double BetaMin { get; init; } = 0.1;

    /// <summary>vp and subvp: beta(1).</summary>
    public double BetaMax { get; init; } = 20;

    /// <summary>vp, subvp and ve: the smallest training time; null for the SDE's default.</summary>
    public double? Eps { get; init; }

    /// <summary>Which noise levels are drawn and how errors are weighted; null for the objective's own.</summary>
    public NoiseLevelRecipe? Recipe { get; init; }
}
