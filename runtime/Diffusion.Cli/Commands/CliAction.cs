using System.CommandLine;
using Diffusion.Runtime;

namespace Diffusion.Cli.Commands;

/// <summary>Runs a command body and turns every failure into one line on the error writer and an exit code.</summary>
internal static class CliAction
{
    public static int Run(ParseResult result, Func<int> body)
    {
        var error = result.InvocationConfiguration.Error;
        try
        {
            return body();
        }
        catch (DiffusionException e)
        {
            return Fail(error, FlagNames.Translate(e.Message));
        }
        catch (ObjectDisposedException e)
        {
            return Fail(error, e.Message);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled.");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(error, e.Message);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DIFFUSION_DEBUG") is null)
        {
            // A bug of ours: still one line, with the type to report (DIFFUSION_DEBUG=1 shows the stack).
            return Fail(error, $"unexpected {e.GetType().Name}: {e.Message}");
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        return 1;
    }
}
