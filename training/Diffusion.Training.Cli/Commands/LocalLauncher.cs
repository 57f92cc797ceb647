using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Diffusion.Runtime;

namespace Diffusion.Training.Cli.Commands;

/// <summary>
/// <c>diffusion-train train ... --nproc N</c>: starts N copies of this command as ranks 0..N-1 of a data-parallel run on
/// 127.0.0.1 and a free port, and watches them. When one fails, the others stop on their own (their next all-reduce
/// fails); any still running after <see cref="Grace"/> are killed, so a failure never leaves the job hanging.
/// Ctrl-C reaches every rank (they agree to stop after the same step and rank 0 saves a checkpoint); a SIGTERM sent to
/// the launcher is passed on to them.
/// </summary>
internal static class LocalLauncher
{
    /// <summary>Set in each rank's environment to N, so the ranks share the machine's cores (<see cref="LocalRanks"/>).</summary>
    public const string LocalRanksVariable = "DIFFUSION_TRAIN_LOCAL_RANKS";

    /// <summary>How long the other ranks may take to stop on their own after one failed.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    /// <summary>How many ranks share this machine (1 unless started by <c>--nproc</c>).</summary>
    public static int LocalRanks =>
        int.TryParse(Environment.GetEnvironmentVariable(LocalRanksVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n : 1;

    public static int Run(TrainOptionSet o, ParseResult result, int nproc)
    {
        if (nproc < 1) throw new DiffusionException($"--nproc must be at least 1, got {nproc}.");
        if (new Option[] { o.Rank, o.WorldSize, o.MasterAddr, o.MasterPort }.FirstOrDefault(option => result.GetResult(option) is { Implicit: false }) is { } launcherOption)
        {
            throw new DiffusionException(
                $"--nproc starts its own ranks on this machine, so {launcherOption.Name} does not apply: drop it, or drop --nproc and start each rank with --rank, --world-size, --master-addr and --master-port.");
        }
        OutputFolder.Validate(result.GetValue(o.Out), o.Out.Name);
        int port = FreePort();
        var arguments = RankArguments();
        var ranks = new Process[nproc];
        var exits = new BlockingCollection<int>();
        using var signals = new LauncherSignals(ranks);
        try
        {
            for (int rank = 0; rank < nproc; rank++)
            {
                ranks[rank] = StartRank(arguments, rank, nproc, port);
                int r = rank;
                ranks[rank].Exited += (_, _) => exits.Add(r);
                ranks[rank].EnableRaisingEvents = true;
                if (ranks[rank].HasExited) exits.Add(rank); // Watch ignores a second report
                Console.Error.WriteLine($"rank {rank} of {nproc}: pid {ranks[rank].Id}");
            }
            return Watch(ranks, exits);
        }
        finally
        {
            foreach (var process in ranks.OfType<Process>())
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }

    /// <summary>Waits for every rank; returns the job's exit code (the first failing rank's, else 0 or the interrupt code).</summary>
    private static int Watch(Process[] ranks, BlockingCollection<int> exits)
    {
        var done = new HashSet<int>();
        int code = 0;
        int failed = -1;
        var deadline = DateTime.MaxValue;
        while (done.Count < ranks.Length)
        {
            var wait = deadline == DateTime.MaxValue ? Timeout.InfiniteTimeSpan : deadline - DateTime.UtcNow;
            if (wait != Timeout.InfiniteTimeSpan && wait < TimeSpan.Zero) wait = TimeSpan.Zero;
            if (!exits.TryTake(out int rank, wait))
            {
                var running = Enumerable.Range(0, ranks.Length).Where(r => !done.Contains(r)).ToList();
                Console.Error.WriteLine(
                    $"error: rank(s) {string.Join(", ", running)} did not stop within {Grace.TotalSeconds:0} s after rank {failed} failed: killing them.");
                foreach (int r in running) ranks[r].Kill(entireProcessTree: true);
                foreach (int r in running) ranks[r].WaitForExit();
                break;
            }
            if (!done.Add(rank)) continue;
            ranks[rank].WaitForExit();
            int exit = ranks[rank].ExitCode;
            if (exit == 0) continue;
            if (failed < 0 && exit != CliAction.Interrupted)
            {
                failed = rank;
                code = exit;
                int others = ranks.Length - done.Count;
                Console.Error.WriteLine(
                    $"error: rank {rank} (pid {ranks[rank].Id}) {Describe(exit)}{(exit > 128 ? "" : "; its message is above")}. " +
                    (others > 0 ? $"Stopping the other {others} rank(s)." : ""));
                deadline = DateTime.UtcNow + Grace;
            }
            else if (code == 0)
            {
                code = exit;
            }
        }
        return code;
    }

    private static string Describe(int exit) => exit > 128
        ? $"was killed by signal {exit - 128} (exit code {exit})"
        : $"exited with code {exit}";

    /// <summary>A TCP port no process listens on now (the OS's choice; rank 0 binds it a moment later).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>This process's own command line without --nproc.</summary>
    private static List<string> RankArguments()
    {
        string[] all = Environment.GetCommandLineArgs();
        var kept = new List<string>();
        for (int i = 1; i < all.Length; i++)
        {
            if (all[i] == "--nproc") { i++; continue; }
            if (all[i].StartsWith("--nproc=", StringComparison.Ordinal) || all[i].StartsWith("--nproc:", StringComparison.Ordinal)) continue;
            kept.Add(all[i]);
        }
        return kept;
    }

    private static Process StartRank(List<string> arguments, int rank, int worldSize, int port)
    {
        // Under `dotnet diffusion-train.dll`, the process is the dotnet host and the first argument the assembly.
        string host = Environment.ProcessPath ?? throw new DiffusionException("cannot start the ranks: the path of this process is unknown.");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (string argument in (string[])["--rank", $"{rank}", "--world-size", $"{worldSize}", "--master-addr", "127.0.0.1", "--master-port", $"{port}"])
            start.ArgumentList.Add(argument);
        start.Environment[LocalRanksVariable] = worldSize.ToString(CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new DiffusionException($"could not start rank {rank}.");
    }

    /// <summary>Keeps the launcher alive on Ctrl-C (the ranks get it from the terminal and stop together) and passes a SIGTERM on.</summary>
    private sealed class LauncherSignals : IDisposable
    {
        private readonly PosixSignalRegistration[] registrations;

        public LauncherSignals(Process?[] ranks)
        {
            registrations =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                {
                    context.Cancel = true;
                    foreach (var process in ranks)
                    {
                        if (process is { HasExited: false }) Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
                    }
                }),
            ];
        }

        public void Dispose()
        {
            foreach (var registration in registrations) registration.Dispose();
        }
    }
}
