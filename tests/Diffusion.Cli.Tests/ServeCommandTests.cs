using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Diffusion.Cli.Tests;

public class ServeCommandTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task ServeAnswersOnItsUrlWithTheNamedModelAndStopsWhenCancelled()
    {
        int port = FreePort();
        using var stop = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var serving = DiffusionCli.InvokeAsync(["serve", "--model", $"ring={Cli.DemoModel}", "--urls", $"http://127.0.0.1:{port}", "--device", "cpu", "--threads", "1"],
            output, error, stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !serving.IsCompleted)
            {
                await Task.Delay(100);
            }
        }

        using var response = await http.PostAsync("/v1/generate",
            new StringContent("""{ "model": "ring", "steps": 5, "count": 8, "format": "npy" }""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-npy", response.Content.Headers.ContentType?.MediaType);
        stop.Cancel();

        Assert.Equal(0, await serving.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"serving ring on http://127.0.0.1:{port}", output.ToString());
    }

    [Fact]
    public async Task ServeRefusesAModelFileThatDoesNotExistInOneLine()
    {
        var result = await Cli.RunAsync("serve", "--model", "x=/no/such/model.onnx", "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --model /no/such/model.onnx: no such file or directory.", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task ServeBenchPrintsARowPerSetupAndLevel()
    {
        var result = await Cli.RunAsync("serve", "bench", "--model", Cli.DemoModel, "--clients", "1,2", "--requests", "4",
            "--mix", "ddim:3,euler:2", "--threads", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("| setup | clients | images | model calls / image | images/s |", rows[0]);
        Assert.Equal(2 + 6, rows.Length);
        Assert.Equal(2, rows.Count(r => r.StartsWith("| server, step-level batching |", StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.StartsWith("| server, one request at a time |", StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.StartsWith("| offline `diffusion sample --batch 16` |", StringComparison.Ordinal)));
    }
}
