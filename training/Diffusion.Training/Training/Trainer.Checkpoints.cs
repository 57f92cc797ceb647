using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Training.Checkpoints;

namespace Diffusion.Training.Training;

// The trainer's state to and from checkpoints: weights, their average, Adam's moments and step, the sampler's position.
public sealed partial class Trainer
{
    /// <summary>Writes the current state to <see cref="CheckpointPath"/>, atomically; in a data-parallel group, only rank 0 writes
    /// (the ranks hold the same state).</summary>
    public void SaveCheckpoint(Action<string>? log = null)
    {
        if (!IsLeader)
        {
            savedStep = Step;
            return;
        }
        CheckpointFile.Save(CheckpointPath, CaptureCheckpoint());
        savedStep = Step;
        log?.Invoke($"checkpoint: step {Step} -> {CheckpointPath}");
    }

    /// <summary>The current state as a checkpoint.</summary>
    public Checkpoint CaptureCheckpoint()
    {
        var first = new List<(string, Tensor)>();
        var second = new List<(string, Tensor)>();
        for (int i = 0; i < Model.Parameters.Count; i++)
        {
            var (m, v) = optimizer.State(i);
            if (m is null || v is null) continue;
            first.Add((Model.Parameters[i].name, m));
            second.Add((Model.Parameters[i].name, v));
        }
        return new Checkpoint
        {
            Run = Run,
            Step = Step,
            Sampler = sampler.State,
            Loss = lastLoss,
            Weights = ParameterTensors.Capture(Model.Parameters.Select(p => (p.name, (Tensor)p.parameter))),
            EmaWeights = ParameterTensors.Capture(EmaModel.Parameters.Select(p => (p.name, (Tensor)p.parameter))),
            OptimizerStep = optimizer.StepCount,
            FirstMoments = ParameterTensors.Capture(first),
            SecondMoments = ParameterTensors.Capture(second),
        };
    }

    private void Restore(Checkpoint checkpoint)
    {
        string source = $"checkpoint at step {checkpoint.Step}";
        ParameterTensors.Load(Model.Parameters, checkpoint.Weights, $"the weights of the {source}");
        ParameterTensors.Load(EmaModel.Parameters, checkpoint.EmaWeights, $"the EMA weights of the {source}");
        using var scope = torch.NewDisposeScope();
        var moments = new List<(Tensor?, Tensor?)>();
        foreach (var (name, parameter) in Model.Parameters)
        {
            bool hasFirst = checkpoint.FirstMoments.TryGetValue(name, out var m);
            bool hasSecond = checkpoint.SecondMoments.TryGetValue(name, out var v);
            if (!hasFirst && !hasSecond)
            {
                moments.Add((null, null)); // not updated yet, as before Adam's first step
                continue;
            }
            if (m is null || v is null || !m.Shape.SequenceEqual(parameter.shape) || !v.Shape.SequenceEqual(parameter.shape))
                throw new DiffusionException($"the optimizer state of the {source} does not fit '{name}'; the checkpoint is from another architecture.");
            moments.Add((torch.FromData<float>(m.ToFloats(), m.Shape), torch.FromData<float>(v.ToFloats(), v.Shape)));
        }
        optimizer.LoadState(checkpoint.OptimizerStep, moments);
    }
}
