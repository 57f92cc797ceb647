using System.CommandLine;
using Diffusion.Runtime.Evaluation;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion eval</c>: generates samples exactly as <c>sample</c> does, for every
/// (sampler, steps) asked for, and scores each set against the model's reference distribution.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(withDefault: true);
        var generation = new GenerationOptionSet(sweep: true, defaultCount: 1000);
        var reference = new Option<string?>("--reference")
        {
            Description = $"what to score against: {string.Join(", ", EvaluationReferences.Names)} (default: the model's 'dataset' metadata)",
        };
        var classifier = new Option<string>("--classifier")
        {
            Description = "mnist: the feature classifier (.onnx)",
            DefaultValueFactory = _ => CommonOptions.Shipped(EvaluationReferences.MnistClassifierFile),
        };
        var features = new Option<string?>("--features")
        {
            Description = $"mnist: the real images' classifier features, [N, D] .npy (default: {EvaluationReferences.MnistFeaturesFile} beside the classifier)",
        };
        var format = new Option<string>("--format") { Description = "table, markdown or json", DefaultValueFactory = _ => "table" };

        var command = new Command("eval", "score a model's samples, for each sampler and step count, against its data") { model };
        generation.AddTo(command);
        command.Add(reference);
        command.Add(classifier);
        command.Add(features);
        command.Add(format);
        CommonOptions.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliAction.Run(result, () =>
        {
            var (stdout, stderr) = (result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
            string reportFormat = EvalReport.ParseFormat(result.GetValue(format)!);
            generation.Samplers(result); // named samplers exist: fail before loading
            var stepCounts = generation.StepCounts(result);
            int count = generation.Count(result);
            using var loaded = CommonOptions.Load(result, result.GetValue(model)!);
            string referenceName = EvaluationReferences.Choose(result.GetValue(reference), loaded.Dataset);
            stderr.WriteLine($"model {loaded.ModelPath} on {loaded.Device}: {loaded.Schedule.Describe()}; reference {referenceName}");
            using var evaluator = EvaluationReferences.Create(referenceName, loaded, new EvaluatorOptions
            {
                SampleCount = count,
                ClassifierPath = result.GetValue(classifier),
                FeaturesPath = result.GetValue(features),
                Load = CommonOptions.LoadOptions(result),
            });
            var samplers = generation.Samplers(result, loaded.Config);
            var runs = samplers.SelectMany(s => stepCounts.Select(n => generation.Read(result, s, n, loaded.Config.NumClasses))).ToList();
            var (rows, skipped) = EvalSweep.Run(loaded, evaluator, runs, stderr, cancellation);
            var setup = new EvalReport.Setup(loaded.ModelPath, referenceName, evaluator.Metric, count, generation.Seed(result), runs[0].ClassLabels,
                generation.GivenSettings(result));
            new EvalReport(setup, rows, [.. evaluator.Notes, .. skipped]).Write(stdout, reportFormat);
            return 0;
        })));
        return command;
    }
}
