using Diffusion.Runtime;

namespace Diffusion.Cli.Commands;

/// <summary>Runs a command body and turns every failure into one line on stderr and an exit code.</summary>
internal static class CliAction
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (DiffusionException e)
        {
            return Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DIFFUSION_DEBUG") is null)
        {
            // A bug of ours: still one line, with the type to report (DIFFUSION_DEBUG=1 shows the stack).
            return Fail($"unexpected {e.GetType().Name}: {e.Message}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
