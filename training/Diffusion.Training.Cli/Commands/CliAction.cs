using Diffusion.Training.Data;
using Diffusion.Runtime;
using Diffusion.Training.Training;

namespace Diffusion.Training.Cli.Commands;

/// <summary>Runs a command body and turns every failure into one line on stderr and a non-zero exit code.</summary>
internal static class CliAction
{
    /// <summary>Exit code of a run stopped by a NaN or infinite loss.</summary>
    public const int Diverged = 3;

    /// <summary>Exit code of a run interrupted by Ctrl-C or SIGTERM (after its checkpoint was saved).</summary>
    public const int Interrupted = 130;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (TrainingDivergedException e)
        {
            return Fail(e.Message, Diverged);
        }
        catch (Exception e) when (e is DiffusionException or DatasetException)
        {
            return Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return Interrupted;
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

    private static int Fail(string message, int code = 1)
    {
        Console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return code;
    }
}
