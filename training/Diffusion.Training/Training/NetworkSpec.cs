using System.Text.Json;
using Diffusion.Runtime;
using Diffusion.Torch;
using Diffusion.Training.Networks;

namespace Diffusion.Training.Training;

/// <summary>
/// Which network to build and its configuration as JSON: everything needed to rebuild the same
/// architecture from a checkpoint.
/// </summary>
/// <param name="Kind"><see cref="MlpKind"/> or <see cref="UNetKind"/>.</param>
/// <param name="ConfigJson">The network's configuration (<see cref="MlpDenoiserConfig.ToJson"/> or <see cref="UNetConfig.ToJson"/>).</param>
/// <param name="Preconditioning">The scaling around the network (<see cref="Training.Preconditioning"/>), or null for none.</param>
public sealed record NetworkSpec(string Kind, string ConfigJson, Preconditioning? Preconditioning = null)
{
    /// <summary>The kind of an <see cref="MlpDenoiser"/>.</summary>
    public const string MlpKind = "mlp";

    /// <summary>The kind of a <see cref="UNet"/>.</summary>
    public const string UNetKind = "unet";

    /// <summary>The spec of an MLP denoiser.</summary>
    public static NetworkSpec Mlp(MlpDenoiserConfig config) => new(MlpKind, config.ToJson());

    /// <summary>The spec of a UNet.</summary>
    public static NetworkSpec UNet(UNetConfig config) => new(UNetKind, config.ToJson());

    /// <summary>Builds the network with weights drawn from <paramref name="generator"/>.</summary>
    /// <exception cref="DiffusionException">The kind is unknown or the configuration is malformed or invalid.</exception>
    public DenoisingNetwork Build(Generator? generator = null)
    {
        Preconditioning?.Validate();
        try
        {
            return Kind switch
            {
                MlpKind => DenoisingNetwork.From(this, new MlpDenoiser(MlpDenoiserConfig.FromJson(ConfigJson), generator)),
                UNetKind => DenoisingNetwork.From(this, new UNet(UNetConfig.FromJson(ConfigJson), generator)),
                _ => throw new DiffusionException($"unknown network kind '{Kind}': use {MlpKind} or {UNetKind}."),
            };
        }
        catch (JsonException e)
        {
            throw new DiffusionException($"the {Kind} network config is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new DiffusionException(e.Message, e);
        }
    }
}
