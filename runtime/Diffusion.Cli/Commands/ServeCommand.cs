using System.CommandLine;
using Diffusion.Runtime;
using Diffusion.Server;
using Diffusion.Server.Benchmark;
using Diffusion.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Diffusion.Cli.Commands;

/// <summary>
/// <c>diffusion serve</c>: the HTTP service with step-level batching, a web page and metrics; and
/// <c>diffusion serve bench</c>: the serving benchmark's table.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model", "-m")
        {
            Description = "a model to serve as NAME=PATH (PATH alone: named after the file); repeat for more. Default: the shipped mnist-ddpm",
            AllowMultipleArgumentsPerToken = false,
        };
        var urls = new Option<string>("--urls") { Description = "addresses to listen on, ;-separated", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var maxBatch = new Option<int?>("--max-batch") { Description = "most rows per model call (default: by sample size, 8-256)" };
        var noBatching = new Option<bool>("--no-batching") { Description = "one request at a time per model (the benchmark's baseline)" };
        var maxCount = new Option<int>("--max-count") { Description = "most samples per request", DefaultValueFactory = _ => 16 };
        var maxSteps = new Option<int>("--max-steps") { Description = "most steps per request", DefaultValueFactory = _ => 1000 };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "requests generating at once per model", DefaultValueFactory = _ => 64 };
        var maxQueue = new Option<int>("--max-queue") { Description = "requests waiting per model before 429", DefaultValueFactory = _ => 256 };
        var maxSizes = new Option<int>("--max-sizes")
        {
            Description = "sample sizes served per model, its own included, when requests give height and width (fully convolutional models)",
            DefaultValueFactory = _ => new ServerLimits().MaxSizesPerModel,
        };
        var maxSampleValues = new Option<int>("--max-sample-values")
        {
            Description = "most values (channels x height x width) of a sample of another size",
            DefaultValueFactory = _ => new ServerLimits().MaxSampleValues,
        };

        var command = new Command("serve", "serve models over HTTP: step-level batching, server-sent progress, a web page at /")
        {
            models, urls, maxBatch, noBatching, maxCount, maxSteps, maxInFlight, maxQueue, maxSizes, maxSampleValues,
        };
        CommonOptions.AddTo(command);
        command.SetAction(async (result, cancellation) =>
        {
            int code = 0;
            DiffusionServerOptions? options = null;
            code = CliAction.Run(result, () =>
            {
                var load = CommonOptions.LoadOptions(result);
                options = new DiffusionServerOptions
                {
                    Batching = !result.GetValue(noBatching),
                    MaxBatchRows = result.GetValue(maxBatch),
                    Limits = new ServerLimits
                    {
                        MaxCount = result.GetValue(maxCount),
                        MaxSteps = result.GetValue(maxSteps),
                        MaxInFlight = result.GetValue(maxInFlight),
                        MaxQueue = result.GetValue(maxQueue),
                        MaxSizesPerModel = result.GetValue(maxSizes),
                        MaxSampleValues = result.GetValue(maxSampleValues),
                    },
                };
                var given = result.GetValue(models) is { Length: > 0 } list ? list : [CommonOptions.DefaultModelPath];
                foreach (var spec in given) options.Models.Add(Registration(spec, load));
                try
                {
                    options.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new DiffusionException(e.Message);
                }
                return 0;
            });
            if (code != 0 || options is null) return code;
            var addresses = result.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Microsoft.AspNetCore.Builder.WebApplication? app = null;
            code = CliAction.Run(result, () =>
            {
                app = DiffusionServer.Build(options, addresses);
                return 0;
            });
            if (code != 0 || app is null) return code;
            await using (app)
            {
                await app.StartAsync(cancellation);
                result.InvocationConfiguration.Output.WriteLine($"serving {string.Join(", ", options.Models.Select(m => m.Name))} on {string.Join(" ", app.Urls)} (web page at /, API under /v1, OpenAPI at /openapi/v1.json)");
                await app.WaitForShutdownAsync(cancellation);
            }
            return 0;
        });
        command.Add(Bench());
        return command;
    }

    private static ModelRegistration Registration(string spec, Runtime.Models.ModelLoadOptions load)
    {
        int equals = spec.IndexOf('=');
        string name = equals > 0 ? spec[..equals] : Path.GetFileNameWithoutExtension(spec.TrimEnd('/'));
        string path = equals > 0 ? spec[(equals + 1)..] : spec;
        if (name.Length == 0 || path.Length == 0) throw new DiffusionException($"--model '{spec}' is not NAME=PATH or PATH.");
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            string shipped = CommonOptions.Shipped(path);
            if (!File.Exists(shipped)) throw new DiffusionException($"--model {path}: no such file or directory.");
            path = shipped;
        }
        return ModelRegistration.Onnx(name, path, load);
    }

    private static Command Bench()
    {
        var model = CommonOptions.Model(withDefault: true);
        var clients = new Option<string>("--clients") { Description = "concurrent clients per level, comma-separated", DefaultValueFactory = _ => "1,4,16,64" };
        var requests = new Option<int>("--requests") { Description = "requests per level", DefaultValueFactory = _ => 64 };
        var mix = new Option<string>("--mix") { Description = "SAMPLER:STEPS entries the requests cycle through", DefaultValueFactory = _ => "ddim:20,euler:15,heun:10,ddpm:25" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for ONNX Runtime" };
        var batch = new Option<int>("--batch") { Description = "batch of the offline run", DefaultValueFactory = _ => 16 };
        var command = new Command("bench", "benchmark the server on loopback (batched, unbatched) against an offline batched run; prints a markdown table")
        {
            model, clients, requests, mix, threads, batch,
        };
        command.SetAction(async (result, cancellation) =>
        {
            ServingBenchmarkOptions? options = null;
            int code = CliAction.Run(result, () =>
            {
                try
                {
                    options = new ServingBenchmarkOptions
                    {
                        ModelPath = result.GetValue(model)!,
                        Clients = result.GetValue(clients)!.Split(',').Select(c => int.Parse(c.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                        RequestsPerLevel = result.GetValue(requests),
                        Mix = result.GetValue(mix)!.Split(',').Select(ServingBenchmark.ParseMixEntry).ToArray(),
                        Threads = result.GetValue(threads),
                        OfflineBatch = result.GetValue(batch),
                    };
                }
                catch (FormatException e)
                {
                    throw new DiffusionException($"--clients: {e.Message}");
                }
                catch (ArgumentException e)
                {
                    throw new DiffusionException(e.Message);
                }
                return 0;
            });
            if (code != 0 || options is null) return code;
            var error = result.InvocationConfiguration.Error;
            var rows = await ServingBenchmark.RunAsync(options, error, cancellation);
            result.InvocationConfiguration.Output.Write(ServingBenchmark.Table(rows));
            return 0;
        });
        return command;
    }
}
