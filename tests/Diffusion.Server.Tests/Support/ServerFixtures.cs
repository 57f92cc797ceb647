using Diffusion.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Diffusion.Server.Tests.Support;

/// <summary>Servers for tests: in process (TestServer), or on loopback (Kestrel, port 0).</summary>
internal static class ServerFixtures
{
    /// <summary>Options serving <paramref name="models"/> (name, model) with <paramref name="limits"/>.</summary>
    public static DiffusionServerOptions Options(IEnumerable<(string Name, FakeModel Model)> models, ServerLimits? limits = null,
        bool batching = true, int? maxBatchRows = null)
    {
        var options = new DiffusionServerOptions { Limits = limits ?? new ServerLimits(), Batching = batching, MaxBatchRows = maxBatchRows };
        foreach (var (name, model) in models)
            options.Models.Add(new ModelRegistration(name, _ => new LoadedModel(model, model, $"fake:{name}")));
        return options;
    }

    /// <summary>A server on loopback at a free port; dispose to stop it.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartKestrel(DiffusionServerOptions options)
    {
        var app = DiffusionServer.Build(options, ["http://127.0.0.1:0"], logging => logging.ClearProviders());
        await app.StartAsync();
        return (app, new Uri(app.Urls.First()));
    }
}

/// <summary>
/// The service in process, on Microsoft.AspNetCore.Mvc.Testing's TestServer. The factory's entry
/// point type is this test assembly's (the test SDK gives it one); the host is built here.
/// </summary>
internal sealed class DiffusionFactory(DiffusionServerOptions options) : WebApplicationFactory<DiffusionFactory>
{
    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .ConfigureWebHost(web => web
                .ConfigureServices(services => services.AddDiffusionServer(options))
                .Configure(app => app.UseDiffusionServer()));

    // The page is embedded in the server assembly, so any folder serves as the content root.
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);
}
