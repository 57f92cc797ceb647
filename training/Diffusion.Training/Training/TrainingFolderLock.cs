using System.Diagnostics;
using System.Globalization;
using Diffusion.Runtime;
using Diffusion.Runtime.IO;

namespace Diffusion.Training.Training;

/// <summary>
/// Claims a training output folder for one run, so that two runs never write the same checkpoint and loss log.
/// Two files: <see cref="LockFileName"/> names the owner (its PID, host and start time, as text), and
/// <see cref="GuardFileName"/> is held open exclusively while the run lives; the kernel releases that hold
/// when the process ends in any way (SIGKILL, a crash), so a lock whose guard is free belongs to a dead run
/// and is taken over, with a message naming it. A folder whose guard is held is refused at once.
/// </summary>
public sealed class TrainingFolderLock : IDisposable
{
    /// <summary>The text file naming the run that holds the folder.</summary>
    public const string LockFileName = ".diffusion-train.lock";

    /// <summary>The file held open exclusively (an advisory <c>flock</c> on Unix) for the run's lifetime.</summary>
    public const string GuardFileName = ".diffusion-train.lock.held";

    private readonly FileStream guard;
    private readonly string lockPath;
    private readonly string guardPath;
    private bool disposed;

    private TrainingFolderLock(string folder, FileStream guard)
    {
        Folder = folder;
        this.guard = guard;
        lockPath = Path.Combine(folder, LockFileName);
        guardPath = Path.Combine(folder, GuardFileName);
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>Claims <paramref name="folder"/> (created if missing) for this process.</summary>
    /// <param name="folder">The run's output folder.</param>
    /// <param name="log">Told when a stale lock of a dead run is taken over.</param>
    /// <returns>The lock; dispose it when the run ends.</returns>
    /// <exception cref="DiffusionException">Another live run holds the folder (the message names its PID), or the folder cannot be used.</exception>
    public static TrainingFolderLock Acquire(string folder, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string lockPath = Path.Combine(folder, LockFileName);
        FileStream guard;
        try
        {
            Directory.CreateDirectory(folder);
            guard = new FileStream(Path.Combine(folder, GuardFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(Path.Combine(folder, GuardFileName)) && e is not DirectoryNotFoundException)
        {
            throw new DiffusionException(
                $"'{folder}' is in use by another training run ({Describe(ReadOwner(lockPath))}): wait for it to finish or stop it, or choose another output folder.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DiffusionException($"cannot use '{folder}' as the output folder: {e.Message}", e);
        }

        var folderLock = new TrainingFolderLock(folder, guard);
        try
        {
            if (ReadOwner(lockPath) is { } previous && previous.Pid != Environment.ProcessId)
                log?.Invoke($"taking over the stale lock of '{folder}': its run (PID {previous.Pid} on {previous.Host}, started {previous.Started}) is no longer running.");
            string text = string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId}\nhost {Environment.MachineName}\nstarted {DateTimeOffset.UtcNow:O}\n");
            AtomicFile.WriteAllBytes(lockPath, System.Text.Encoding.UTF8.GetBytes(text));
            return folderLock;
        }
        catch (IOException e)
        {
            folderLock.Dispose();
            throw new DiffusionException($"cannot lock '{folder}': {e.Message}", e);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>The run named by the lock file <paramref name="lockPath"/>, or null when there is none (or it is unreadable).</summary>
    public static (int Pid, string Host, string Started)? ReadOwner(string lockPath)
    {
        try
        {
            var fields = File.ReadAllLines(lockPath)
                .Select(line => line.Split(' ', 2))
                .Where(parts => parts.Length == 2)
                .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
            return fields.TryGetValue("pid", out string? pid) && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                ? (value, fields.GetValueOrDefault("host", "?"), fields.GetValueOrDefault("started", "?"))
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static string Describe((int Pid, string Host, string Started)? owner) => owner is { } o
        ? $"PID {o.Pid} on {o.Host}, started {o.Started}{(o.Host == Environment.MachineName && !IsRunning(o.Pid) ? ", not running any more" : "")}"
        : "its PID is unknown";

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Removes the lock file and releases the folder.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            File.Delete(lockPath);
            File.Delete(guardPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The guard is released below either way; a leftover lock file is taken over by the next run.
        }
        guard.Dispose();
    }
}
