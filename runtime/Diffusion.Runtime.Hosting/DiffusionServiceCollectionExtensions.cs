using Diffusion.Runtime.Generation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Diffusion.Runtime.Hosting;

/// <summary>Registers named <see cref="DiffusionPipeline"/>s.</summary>
public static class DiffusionServiceCollectionExtensions
{
    /// <summary>
    /// Registers a shared pipeline called <paramref name="name"/>, its <see cref="DiffusionModelOptions"/>
    /// bound from <paramref name="configuration"/>. The model is loaded on first use, shared by every
    /// consumer (inject <c>[FromKeyedServices("name")] DiffusionPipeline</c>), and disposed with the container.
    /// </summary>
    public static IServiceCollection AddDiffusionPipeline(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DiffusionModelOptions>(name).Bind(configuration);
        return services.AddPipeline(name);
    }

    /// <summary>Registers a shared pipeline called <paramref name="name"/>, configured in code.</summary>
    public static IServiceCollection AddDiffusionPipeline(this IServiceCollection services, string name, Action<DiffusionModelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DiffusionModelOptions>(name).Configure(configure);
        return services.AddPipeline(name);
    }

    private static IServiceCollection AddPipeline(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddOptions<DiffusionModelOptions>(name)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Path), $"DiffusionModelOptions.Path of pipeline '{name}' is empty: set it to an .onnx file or a diffusers-layout directory.");
        services.AddKeyedSingleton(name, (provider, _) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<DiffusionModelOptions>>().Get(name);
            return DiffusionPipeline.Load(options.Path, options.ToLoadOptions(), provider.GetService<ILoggerFactory>());
        });
        return services;
    }
}
