using System.Runtime.InteropServices;
using Diffusion.Training.Cli.Commands;

namespace Diffusion.Training.Tests.Trainer;

public class ShutdownSignalsTests
{
    [Fact]
    public void TheFirstSignalCancelsAndIsAbsorbedSoTheCheckpointGetsWritten()
    {
        using var signals = new ShutdownSignals(() => 5_000, register: false);

        Assert.True(signals.OnSignal(PosixSignal.SIGTERM));
        Assert.True(signals.Token.IsCancellationRequested);
    }

    [Fact]
    public void ACopyOfTheSignalWithinTheWindowIsAbsorbedButALaterOneKills()
    {
        long now = 10_000;
        using var signals = new ShutdownSignals(() => now, register: false);
        signals.OnSignal(PosixSignal.SIGTERM);

        now += 200; // dotnet run passing the same SIGTERM on to its child
        Assert.True(signals.OnSignal(PosixSignal.SIGTERM));
        now += (long)ShutdownSignals.DuplicateWindow.TotalMilliseconds; // the user asking again
        Assert.False(signals.OnSignal(PosixSignal.SIGINT));
    }
}
