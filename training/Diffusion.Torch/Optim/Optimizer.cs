namespace Diffusion.Torch.Optim;

/// <summary>Updates a fixed list of parameters from their gradients; state tensors are owned and disposed by the optimizer.</summary>
public abstract class Optimizer : IDisposable
{
    /// <summary>Captures the parameters (materialised once, in order).</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("the optimizer got no parameters: pass module.parameters()", nameof(parameters));
        LearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="step"/>.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The step size; schedules change it between steps.</summary>
    public double LearningRate
    {
        get;
        set => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), $"learning rate must be finite and non-negative, got {value}");
    }

    /// <summary>Forgets every parameter's gradient (sets it to none, like PyTorch's default).</summary>
    public void zero_grad()
    {
        foreach (var parameter in Parameters) parameter.ClearGrad();
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public abstract void step();

    /// <summary>Releases the optimizer's state tensors.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
