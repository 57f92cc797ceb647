using Diffusion.Server.Api;
using Diffusion.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Diffusion.Server;

/// <summary>
/// The service: <see cref="AddDiffusionServer"/> registers it, <see cref="UseDiffusionServer"/>
/// maps its endpoints, web page and OpenAPI document (<c>/openapi/v1.json</c>), and
/// <see cref="Build"/> puts both on Kestrel for <c>diffusion serve</c>.
/// </summary>
public static class DiffusionServer
{
    /// <summary>Registers the models of <paramref name="options"/>, the metrics, problem details and OpenAPI.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static IServiceCollection AddDiffusionServer(this IServiceCollection services, DiffusionServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddMetrics();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<ModelCatalog>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelCatalog>());
        services.AddProblemDetails();
        services.AddRouting();
        services.AddOpenApi();
        return services;
    }

    /// <summary>Loads the models and maps the web page, the API and the OpenAPI document.</summary>
    public static IApplicationBuilder UseDiffusionServer(this IApplicationBuilder app)
    {
        var catalog = app.ApplicationServices.GetRequiredService<ModelCatalog>(); // loads the models before the first request
        app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(catalog.BeginStopping);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var page = new EmbeddedFileProvider(typeof(DiffusionServer).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapDiffusionEndpoints();
            endpoints.MapOpenApi();
        });
        return app;
    }

    /// <summary>A Kestrel host serving <paramref name="options"/> on <paramref name="urls"/> (e.g. <c>http://127.0.0.1:8080</c>; port 0 picks a free one).</summary>
    /// <param name="options">Models and limits.</param>
    /// <param name="urls">Addresses to listen on.</param>
    /// <param name="logging">Configures logging; null keeps the console logger at Information.</param>
    public static WebApplication Build(DiffusionServerOptions options, IReadOnlyList<string> urls, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls([.. urls]);
        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        if (logging is not null) logging(builder.Logging);
        builder.Services.AddDiffusionServer(options);
        var app = builder.Build();
        app.UseDiffusionServer();
        return app;
    }
}
