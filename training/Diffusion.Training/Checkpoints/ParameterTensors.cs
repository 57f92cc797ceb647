using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Training.Data.Safetensors;

namespace Diffusion.Training.Checkpoints;

/// <summary>Copies named libtorch tensors to safetensors tensors and back, checking names and shapes.</summary>
public static class ParameterTensors
{
    private const string AnotherArchitecture = "the file is from another architecture: train with the options (--channels, --channel-mult, ...) it was made with.";

    /// <summary>The values of <paramref name="tensors"/> as float32 safetensors tensors, by name.</summary>
    public static Dictionary<string, SafetensorsTensor> Capture(IEnumerable<(string name, Tensor tensor)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var result = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors) result.Add(name, SafetensorsTensor.FromFloats(tensor.ToArray<float>(), tensor.shape));
        return result;
    }

    /// <summary>
    /// Copies <paramref name="values"/> into <paramref name="parameters"/>, which must match them
    /// name for name and shape for shape.
    /// </summary>
    /// <param name="parameters">The destination tensors.</param>
    /// <param name="values">The stored tensors.</param>
    /// <param name="what">What is loaded, e.g. "the EMA weights of 'run/checkpoint.safetensors'", for messages.</param>
    /// <exception cref="DiffusionException">A tensor is missing, extra, of another shape or not floating point.</exception>
    public static void Load(IReadOnlyList<(string name, Parameter parameter)> parameters, IReadOnlyDictionary<string, SafetensorsTensor> values, string what)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(values);
        var expected = parameters.Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        if (values.Keys.FirstOrDefault(k => !expected.Contains(k)) is { } extra)
            throw new DiffusionException($"{what} do not fit the network: the file has a tensor '{extra}' the network lacks; {AnotherArchitecture}");
        var arrays = new List<float[]>(parameters.Count);
        foreach (var (name, parameter) in parameters)
        {
            if (!values.TryGetValue(name, out var stored))
                throw new DiffusionException($"{what} do not fit the network: the file lacks '{name}'; {AnotherArchitecture}");
            long[] shape = parameter.shape;
            if (!stored.Shape.SequenceEqual(shape))
                throw new DiffusionException(
                    $"{what} do not fit the network: '{name}' is [{string.Join(", ", stored.Shape)}] in the file but [{string.Join(", ", shape)}] in the network; {AnotherArchitecture}");
            try
            {
                arrays.Add(stored.ToFloats());
            }
            catch (InvalidOperationException e)
            {
                throw new DiffusionException($"{what}: '{name}' cannot be read as floats ({e.Message})", e);
            }
        }
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < parameters.Count; i++) parameters[i].parameter.copy_(torch.FromData<float>(arrays[i], parameters[i].parameter.shape));
    }
}
