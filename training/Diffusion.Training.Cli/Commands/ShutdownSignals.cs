using System.Runtime.InteropServices;

namespace Diffusion.Training.Cli.Commands;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation the trainer sees between steps, so it can
/// save a checkpoint before the process exits. A second signal is left to the system (it kills).
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;

    public ShutdownSignals()
    {
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => source.Token;

    private void Handle(PosixSignalContext context)
    {
        if (source.IsCancellationRequested) return; // the second signal terminates as usual
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping after this step and saving a checkpoint (send it again to kill)...");
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
