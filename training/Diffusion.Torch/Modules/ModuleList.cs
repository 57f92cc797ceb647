using System.Collections;

namespace Diffusion.Torch.Modules;

/// <summary>An ordered list of child modules named "0", "1", ...</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = new();

    /// <summary>Creates the list with the given modules.</summary>
    public ModuleList(params IEnumerable<T> modules)
    {
        foreach (var module in modules) Add(module);
    }

    /// <summary>Appends a module (named by its index).</summary>
    public void Add(T module)
    {
        RegisterModule(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        items.Add(module);
    }

    /// <inheritdoc/>
    public T this[int index] => items[index];

    /// <inheritdoc/>
    public int Count => items.Count;

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
