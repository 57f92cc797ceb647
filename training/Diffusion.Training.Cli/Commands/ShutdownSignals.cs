using System.Runtime.InteropServices;

namespace Diffusion.Training.Cli.Commands;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation the trainer sees between steps, so it can
/// save a checkpoint before the process exits. A second signal is left to the system (it kills),
/// unless it comes within <see cref="DuplicateWindow"/> of the first: that is the same request
/// delivered twice (<c>dotnet run</c> passing on the signal its child also got, or <c>pkill -f</c>
/// matching both), and killing then would lose the checkpoint being written.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    /// <summary>How soon after the first a signal counts as a copy of it.</summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;
    private readonly Func<long> clockMilliseconds;
    private readonly bool announce;
    private long firstSignalAt;

    /// <summary>Registers for SIGINT and SIGTERM; <paramref name="announce"/> false keeps the first one silent (the ranks of a
    /// data-parallel run other than 0, which all get a terminal's Ctrl-C).</summary>
    public ShutdownSignals(bool announce = true)
        : this(() => Environment.TickCount64, register: true, announce)
    {
    }

    /// <summary>Signals decided with <paramref name="clock"/> (milliseconds); <paramref name="register"/> false for tests.</summary>
    internal ShutdownSignals(Func<long> clock, bool register, bool announce = true)
    {
        clockMilliseconds = clock;
        this.announce = announce;
        registrations = register
            ? [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)]
            : [];
    }

    public CancellationToken Token => source.Token;

    /// <summary>Handles one signal; returns true when it is absorbed, false when the default (terminate) should run.</summary>
    internal bool OnSignal(PosixSignal signal)
    {
        long now = clockMilliseconds();
        if (source.IsCancellationRequested)
            return now - firstSignalAt < DuplicateWindow.TotalMilliseconds; // a copy of the first, or a real second request
        firstSignalAt = now;
        if (announce) Console.Error.WriteLine($"{signal}: stopping after this step and saving a checkpoint (send it again to kill)...");
        source.Cancel();
        return true;
    }

    private void Handle(PosixSignalContext context) => context.Cancel = OnSignal(context.Signal);

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
