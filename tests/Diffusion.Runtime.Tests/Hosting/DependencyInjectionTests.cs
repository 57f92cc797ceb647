using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Hosting;
using Diffusion.Runtime.Models;
using Diffusion.Runtime.Tests.IO;
using Diffusion.Runtime.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Diffusion.Runtime.Tests.Hosting;

/// <summary>One call registers a named, shared pipeline whose options come from configuration.</summary>
public sealed class DependencyInjectionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public DependencyInjectionTests() => _model = OnnxMixtures.Cases[0].Save(_folder.File("model.onnx"));

    public void Dispose() => _folder.Dispose();

    private ServiceProvider Provider(Dictionary<string, string?> settings, ILoggerFactory? logging = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        if (logging is not null) services.AddSingleton(logging);
        services.AddDiffusionPipeline("mixture", configuration.GetSection("Diffusion:Models:mixture"));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void ANamedPipelineIsBoundFromConfigurationSharedAndDisposedWithTheContainer()
    {
        var log = new ListLoggerFactory();
        var provider = Provider(new() { ["Diffusion:Models:mixture:Path"] = _model, ["Diffusion:Models:mixture:Device"] = "cpu", ["Diffusion:Models:mixture:Threads"] = "1" }, log);

        var pipeline = provider.GetRequiredKeyedService<DiffusionPipeline>("mixture");
        Assert.Same(pipeline, provider.GetRequiredKeyedService<DiffusionPipeline>("mixture"));
        var model = Assert.IsType<OnnxDiffusionModel>(pipeline.Model);
        Assert.Equal("cpu", model.Device);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith($"Loaded {_model} on cpu"));
        Assert.Equal(4 * 2, pipeline.Generate(new GenerationOptions { Steps = 5, Count = 4 }).Data.Length);

        provider.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pipeline.Generate(new GenerationOptions { Steps = 5, Count = 4 }));
    }

    [Fact]
    public void AMissingPathIsAnOptionsErrorNamingIt()
    {
        using var provider = Provider(new() { ["Diffusion:Models:mixture:Device"] = "cpu" });
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<DiffusionPipeline>("mixture"));
        Assert.Contains("DiffusionModelOptions.Path of pipeline 'mixture' is empty", e.Message);
    }
}
