namespace Diffusion.Torch.Modules;

/// <summary>
/// A network component: named parameters, buffers and child modules, registered explicitly in
/// construction order so that the recursive names (e.g. <c>down.0.res.1.conv1.weight</c>) are stable
/// (they become checkpoint and ONNX initializer names). Disposing a module disposes its parameters,
/// buffers and children.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Parameter>> ownParameters = new();
    private readonly List<KeyValuePair<string, Tensor>> ownBuffers = new();
    private readonly List<KeyValuePair<string, Module>> ownChildren = new();
    private readonly HashSet<string> names = new();
    private bool disposed;

    /// <summary>True in training mode (dropout active), false after <see cref="eval"/>.</summary>
    public bool training { get; private set; } = true;

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        Claim(name);
        ownChildren.Add(new(name, module));
        return module;
    }

    /// <summary>Registers a trainable parameter under <paramref name="name"/> and returns it.</summary>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Claim(name);
        ownParameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers a non-trainable tensor (e.g. fixed frequencies) under <paramref name="name"/>; the module
    /// takes ownership (it leaves any dispose scope) and returns it.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Claim(name);
        ownBuffers.Add(new(name, buffer.DetachFromDisposeScope()));
        return buffer;
    }

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
        {
            throw new ArgumentException($"invalid member name '{name}': use a non-empty name without '.'", nameof(name));
        }
        if (!names.Add(name)) throw new ArgumentException($"{GetType().Name} already has a member named '{name}': register each name once", nameof(name));
    }

    /// <summary>Sets training mode on this module and all its descendants. Returns this module.</summary>
    public Module train(bool mode = true)
    {
        training = mode;
        foreach (var child in ownChildren) child.Value.train(mode);
        return this;
    }

    /// <summary>Sets evaluation mode (no dropout) recursively. Returns this module.</summary>
    public Module eval() => train(false);

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string name, Module module)> named_children() => ownChildren.Select(c => (c.Key, c.Value));

    /// <summary>Every descendant (depth first, registration order) with its dotted path; this module is "".</summary>
    public IEnumerable<(string name, Module module)> named_modules()
    {
        yield return ("", this);
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, module) in child.named_modules()) yield return (Join(childName, name), module);
        }
    }

    /// <summary>Every parameter of this module and its descendants, with stable dotted names, in registration order.</summary>
    public IEnumerable<(string name, Parameter parameter)> named_parameters()
    {
        foreach (var (name, parameter) in ownParameters) yield return (name, parameter);
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, parameter) in child.named_parameters()) yield return (Join(childName, name), parameter);
        }
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Parameter> parameters() => named_parameters().Select(p => p.parameter);

    /// <summary>Every buffer of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string name, Tensor buffer)> named_buffers()
    {
        foreach (var (name, buffer) in ownBuffers) yield return (name, buffer);
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, buffer) in child.named_buffers()) yield return (Join(childName, name), buffer);
        }
    }

    /// <summary>The parameter named <paramref name="name"/> (dotted path), or an error naming it.</summary>
    public Parameter get_parameter(string name) =>
        named_parameters().FirstOrDefault(p => p.name == name).parameter
        ?? throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'");

    /// <summary>Forgets the gradients of all parameters (sets them to none).</summary>
    public void zero_grad()
    {
        foreach (var parameter in parameters()) parameter.ClearGrad();
    }

    /// <summary>Converts every parameter and floating-point buffer to <paramref name="type"/> in place. Returns this module.</summary>
    public Module to(ScalarType type)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var parameter in parameters()) parameter.SetData(parameter.to(type));
        foreach (var (_, buffer) in named_buffers())
        {
            if (buffer.dtype is ScalarType.Float32 or ScalarType.Float64) buffer.SetData(buffer.to(type));
        }
        return this;
    }

    private static string Join(string prefix, string name) => name.Length == 0 ? prefix : prefix + "." + name;

    /// <summary>Releases the parameters and buffers of this module and its descendants.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var child in ownChildren) child.Value.Dispose();
        foreach (var parameter in ownParameters) parameter.Value.Dispose();
        foreach (var buffer in ownBuffers) buffer.Value.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with one input and one output.</summary>
public abstract class Module<TInput, TResult> : Module
{
    /// <summary>Computes the output.</summary>
    public abstract TResult forward(TInput input);

    /// <summary>Same as <see cref="forward"/> (TorchSharp's name for invoking a module).</summary>
    public TResult call(TInput input) => forward(input);
}
