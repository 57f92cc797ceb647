using System.CommandLine;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Noise;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Sampling;

namespace Diffusion.Cli.Commands;

/// <summary>
/// The options that say what to generate and how, defined once for every command that generates:
/// <c>sample</c> takes one sampler and one step count; <c>eval</c> takes comma-separated lists of
/// both and sweeps their combinations. Each instance holds new options, so command trees built
/// concurrently share nothing.
/// </summary>
internal sealed class GenerationOptionSet
{
    private readonly bool _sweep;
    private readonly Option<string?> _sampler;
    private readonly Option<int> _steps = new("--steps") { Description = "number of steps (noise levels for langevin)", DefaultValueFactory = _ => GenerationOptions.DefaultSteps };
    private readonly Option<string> _stepsList = new("--steps") { Description = "numbers of steps, comma-separated (e.g. 5,10,20,50,100,1000)", DefaultValueFactory = _ => GenerationOptions.DefaultSteps.ToString(CultureInfo.InvariantCulture) };
    private readonly Option<int> _count;
    private readonly Option<ulong> _seed = new("--seed") { Description = "random seed; sample i depends only on (seed, i) (with --noise torch: torch.manual_seed(seed))", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _noise = new("--noise")
    {
        Description = "per-sample (each sample its own stream) or torch (torch.manual_seed(seed) then torch.randn, drawn as a diffusers pipeline draws; all samples in one batch)",
        DefaultValueFactory = _ => "per-sample",
    };
    private readonly Option<int?> _batch = new("--batch") { Description = $"samples per model call (bounds memory; default all, at most {Generator.DefaultMaxBatch})" };
    private readonly Option<string?> _spacing = new("--spacing") { Description = $"timestep spacing: {string.Join(", ", TimestepSpacingNames.All)} (default: the model's config)" };
    private readonly Option<string?> _classLabels = new("--class")
    {
        Description = "class-conditional models: a class label (3), labels cycled over the samples (0,1,2), or all (every class in turn)",
    };
    private readonly Option<double> _guidance = new("--guidance") { Description = "classifier-free guidance weight with --class: 1 conditional only, >1 sharpens, 0 unconditional", DefaultValueFactory = _ => 1 };
    private readonly Option<double?> _eta = new("--eta") { Description = "ddim, euler-ancestral, dpmpp-sde: noise share in [0, 1] (default: 0 for ddim, 1 for the others)" };
    private readonly Option<string?> _variance = new("--variance") { Description = "ddpm: fixed_small or fixed_large (default: the model's config)" };
    private readonly Option<double?> _snr = new("--snr") { Description = "pc: Langevin corrector signal-to-noise ratio (default: config, else 0.16)" };
    private readonly Option<int> _correctorSteps = new("--corrector-steps") { Description = "pc: corrector steps per step", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _predictor = new("--predictor") { Description = "pc: reverse_diffusion or euler_maruyama", DefaultValueFactory = _ => "reverse_diffusion" };
    private readonly Option<int> _langevinSteps = new("--langevin-steps") { Description = "langevin: steps per noise level", DefaultValueFactory = _ => 10 };
    private readonly Option<double> _stepSize = new("--step-size") { Description = "langevin: relative step, a step at noise level sigma moves with step-size * sigma^2", DefaultValueFactory = _ => 0.2 };
    private readonly Option<int?> _order = new("--order") { Description = "dpmpp, dpmpp-sde, unipc, restart: solver order 1-3 (default: the config's solver_order, else 2)" };
    private readonly Option<string?> _solverType = new("--solver-type") { Description = "dpmpp: midpoint or heun; unipc: bh1 or bh2 (default: the config's solver_type)" };
    private readonly Option<bool?> _lowerOrderFinal = new("--lower-order-final") { Description = "dpmpp, unipc: lower the order over the last steps (default: the config's, else true)" };
    private readonly Option<bool?> _eulerAtFinal = new("--euler-at-final") { Description = "dpmpp: first-order last step (default: the config's, else false)" };
    private readonly Option<bool> _noCorrector = new("--no-corrector") { Description = "unipc: predictor only (UniP), without the corrector UniC" };
    private readonly Option<double> _sChurn = new("--s-churn") { Description = "edm: S_churn, the total noise added (0: deterministic Heun)", DefaultValueFactory = _ => 40 };
    private readonly Option<double> _sTMin = new("--s-tmin") { Description = "edm: S_tmin, lowest sigma/alpha that gets churn noise", DefaultValueFactory = _ => 0.05 };
    private readonly Option<double> _sTMax = new("--s-tmax") { Description = "edm: S_tmax, highest sigma/alpha that gets churn noise", DefaultValueFactory = _ => 50 };
    private readonly Option<double> _sNoise = new("--s-noise") { Description = "edm: S_noise, the churn noise's scale", DefaultValueFactory = _ => 1.003 };
    private readonly Option<double> _restartMin = new("--restart-min") { Description = "restart: sigma/alpha where the restarts begin (the nearest path point)", DefaultValueFactory = _ => 0.1 };
    private readonly Option<double> _restartMax = new("--restart-max") { Description = "restart: sigma/alpha each restart jumps back up to", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _restarts = new("--restarts") { Description = "restart: how many times the interval is solved again", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> _restartSteps = new("--restart-steps") { Description = "restart: model evaluations of each pass down the interval (default: two thirds of --steps)" };

    /// <summary>Creates the options.</summary>
    /// <param name="sweep">True: <c>--sampler</c> and <c>--steps</c> take comma-separated lists.</param>
    /// <param name="defaultCount">The default of <c>--count</c>.</param>
    public GenerationOptionSet(bool sweep, int defaultCount)
    {
        _sweep = sweep;
        string samplers = string.Join(", ", SamplerRegistry.All.Select(s => s.Name));
        _sampler = new Option<string?>("--sampler", "-s")
        {
            Description = (sweep ? $"samplers, comma-separated: {samplers}" : $"sampler: {samplers}") +
                $" (default: the one the scheduler config's _class_name names, else {SamplerRegistry.DefaultName})",
        };
        _count = new Option<int>("--count", "-n") { Description = "number of samples", DefaultValueFactory = _ => defaultCount };
    }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_sampler, _sweep ? _stepsList : _steps, _count, _seed, .. Settings]) command.Add(option);
    }

    /// <summary>The options that shape how every sample is drawn, beyond the sampler, steps, count and seed.</summary>
    private Option[] Settings =>
    [
        _noise, _batch, _spacing, _classLabels, _guidance,
        _eta, _variance, _snr, _correctorSteps, _predictor, _langevinSteps, _stepSize,
        _order, _solverType, _lowerOrderFinal, _eulerAtFinal, _noCorrector, _sChurn, _sTMin, _sTMax, _sNoise,
        _restartMin, _restartMax, _restarts, _restartSteps,
    ];

    /// <summary>The settings given on the command line (name without dashes, value as typed), so a report says
    /// how its samples were drawn: <c>--spacing karras</c> gives ("spacing", "karras").</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GivenSettings(ParseResult result) =>
        [.. Settings.Select(o => (o, r: result.GetResult(o)))
            .Where(x => x.r is { Implicit: false })
            .Select(x => KeyValuePair.Create(x.o.Name.TrimStart('-'), x.r!.Tokens.Count == 0 ? "true" : string.Join(" ", x.r.Tokens.Select(t => t.Value))))];

    /// <summary>
    /// The requested samplers, each checked to exist (one unless sweeping); without <c>--sampler</c>, the
    /// one <paramref name="config"/> names, else the default.
    /// </summary>
    public IReadOnlyList<string> Samplers(ParseResult result, SchedulerConfig? config = null)
    {
        string? given = result.GetValue(_sampler);
        string?[] names = given is null ? [null] : _sweep ? [.. SplitList(given, "--sampler")] : [given];
        return names.Select(n => SamplerRegistry.For(n, config ?? new SchedulerConfig()).Name).Distinct().ToList();
    }

    /// <summary>The requested step counts (one unless sweeping); each must be at least 1.</summary>
    public IReadOnlyList<int> StepCounts(ParseResult result)
    {
        if (!_sweep) return [result.GetValue(_steps)];
        return SplitList(result.GetValue(_stepsList)!, "--steps").Select(text =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int steps) && steps >= 1
                ? steps
                : throw new DiffusionException($"--steps '{text}' is not a whole number of at least 1: give step counts like 5,10,20.")).Distinct().ToList();
    }

    /// <summary>The number of samples.</summary>
    public int Count(ParseResult result) => result.GetValue(_count);

    /// <summary>The seed.</summary>
    public ulong Seed(ParseResult result) => result.GetValue(_seed);

    /// <summary>The options of one generation with <paramref name="sampler"/> and <paramref name="steps"/>.</summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="sampler">The sampler's name.</param>
    /// <param name="steps">The step count.</param>
    /// <param name="modelClasses">The model's number of classes (what <c>--class all</c> means).</param>
    public GenerationOptions Read(ParseResult result, string sampler, int steps, int modelClasses) => new()
    {
        Sampler = sampler,
        Steps = steps,
        Count = result.GetValue(_count),
        Seed = result.GetValue(_seed),
        Noise = NoiseKindNames.Parse(result.GetValue(_noise)!),
        BatchSize = result.GetValue(_batch),
        Spacing = result.GetValue(_spacing) is { } s ? TimestepSpacingNames.Parse(s) : null,
        ClassLabels = ClassLabels(result, modelClasses),
        GuidanceScale = result.GetValue(_guidance),
        Settings = new SamplerSettings
        {
            Eta = result.GetValue(_eta),
            VarianceType = result.GetValue(_variance),
            Snr = result.GetValue(_snr),
            CorrectorSteps = result.GetValue(_correctorSteps),
            Predictor = result.GetValue(_predictor)!,
            LangevinSteps = result.GetValue(_langevinSteps),
            StepSize = result.GetValue(_stepSize),
            Order = result.GetValue(_order),
            SolverType = result.GetValue(_solverType) is { } solver
                ? SolverTypeNames.TryParse(solver) ?? throw new DiffusionException($"--solver-type '{solver}' is not one of {string.Join(", ", SolverTypeNames.All)}.")
                : null,
            LowerOrderFinal = result.GetValue(_lowerOrderFinal),
            EulerAtFinal = result.GetValue(_eulerAtFinal),
            UseCorrector = !result.GetValue(_noCorrector),
            SChurn = result.GetValue(_sChurn),
            STMin = result.GetValue(_sTMin),
            STMax = result.GetValue(_sTMax),
            SNoise = result.GetValue(_sNoise),
            RestartMin = result.GetValue(_restartMin),
            RestartMax = result.GetValue(_restartMax),
            Restarts = result.GetValue(_restarts),
            RestartSteps = result.GetValue(_restartSteps),
        },
    };

    /// <summary>The class labels of <c>--class</c>, or null when it is not given.</summary>
    public IReadOnlyList<int>? ClassLabels(ParseResult result, int modelClasses)
    {
        if (result.GetValue(_classLabels) is not { } text) return null;
        if (text.Trim() == "all")
        {
            return modelClasses > 0
                ? Enumerable.Range(0, modelClasses).ToArray()
                : throw new DiffusionException("--class all needs a class-conditional model, and this one has no classes (num_classes is 0).");
        }
        return SplitList(text, "--class").Select(item =>
            int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label)
                ? label
                : throw new DiffusionException($"--class '{item}' is not a class label: give a whole number, a comma-separated list like 0,1,2, or all.")).ToArray();
    }

    private static string[] SplitList(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return items.Length > 0 ? items : throw new DiffusionException($"{option} is empty: give one value or a comma-separated list.");
    }
}
