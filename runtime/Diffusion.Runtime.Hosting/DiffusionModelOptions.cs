using Diffusion.Runtime.Models;

namespace Diffusion.Runtime.Hosting;

/// <summary>
/// A model to serve, as configuration binds it, e.g. the section
/// <c>"Diffusion": { "Models": { "mnist": { "Path": "models/mnist-ddpm.onnx", "Device": "auto" } } }</c>.
/// </summary>
public sealed class DiffusionModelOptions
{
    /// <summary>An .onnx file or a diffusers-layout directory. Required.</summary>
    public string Path { get; set; } = "";

    /// <summary><c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (see <see cref="ModelLoadOptions.Device"/>).</summary>
    public string Device { get; set; } = "auto";

    /// <summary>CPU threads of ONNX Runtime; null lets it choose.</summary>
    public int? Threads { get; set; }

    /// <summary>A scheduler config file that overrides the model's own.</summary>
    public string? SchedulerConfigPath { get; set; }

    /// <summary>Sample height; null for the model's own (see <see cref="ModelLoadOptions.Height"/>).</summary>
    public int? Height { get; set; }

    /// <summary>Sample width; null for the model's own (see <see cref="ModelLoadOptions.Width"/>).</summary>
    public int? Width { get; set; }

    /// <summary>The load options these settings describe.</summary>
    public ModelLoadOptions ToLoadOptions() => new()
    {
        Device = Device, Threads = Threads, SchedulerConfigPath = SchedulerConfigPath, Height = Height, Width = Width,
    };
}
