namespace Diffusion.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost active scope and disposes
/// them when the scope ends, except those moved out with <see cref="Tensor.MoveToOuterDisposeScope"/>
/// or <see cref="Tensor.DetachFromDisposeScope"/>. Create with <c>torch.NewDisposeScope()</c>; scopes nest.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly List<Tensor> owned = new();
    private readonly DisposeScope? outer;
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>The innermost active scope on this thread, if any.</summary>
    internal static DisposeScope? Current => current;

    /// <summary>The enclosing scope (where <see cref="Tensor.MoveToOuterDisposeScope"/> sends tensors).</summary>
    internal DisposeScope? Outer => outer;

    /// <summary>Tensors currently owned by this scope.</summary>
    public int Count => owned.Count;

    internal void Add(Tensor tensor) => owned.Add(tensor);

    internal void Remove(Tensor tensor)
    {
        // Tensors leave a scope rarely and usually soon after creation: search from the end.
        int index = owned.LastIndexOf(tensor);
        if (index >= 0) owned.RemoveAt(index);
    }

    /// <summary>Disposes every tensor still owned and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
        {
            throw new InvalidOperationException("dispose scopes must end in the reverse order of creation: dispose the inner scope first");
        }
        disposed = true;
        current = outer;
        foreach (var tensor in owned) tensor.DisposeFromScope();
        owned.Clear();
    }
}
