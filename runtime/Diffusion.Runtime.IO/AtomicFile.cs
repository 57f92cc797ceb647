namespace Diffusion.Runtime.IO;

/// <summary>
/// Writes a file all-or-nothing: the bytes go to a temporary file in the target's folder,
/// which replaces the target by a rename only on <see cref="Commit"/>. Until then an existing
/// file at the target path is left untouched, and disposing without committing deletes the
/// temporary file, so readers never see a half-written file.
/// </summary>
/// <remarks>
/// The temporary file is named <c>.NAME.GUID.tmp</c> (32 hex digits) and held open exclusively (an advisory
/// <c>flock</c> on Unix) until it is renamed. It is deleted when the write fails, when the file is disposed
/// uncommitted, and when the process exits through <see cref="AppDomain.ProcessExit"/> (a SIGTERM the app does
/// not handle itself, or a normal exit); only SIGKILL or a crash leaves it behind. Such a stale temporary file
/// is one that nobody holds open: <see cref="Create"/> removes those of its own target, and
/// <see cref="RemoveStaleTemporaryFiles"/> those of a whole folder.
/// </remarks>
/// <example>
/// <code>
/// using var file = AtomicFile.Create("out.bin");
/// file.Stream.Write(bytes);
/// file.Commit();
/// </code>
/// </example>
public sealed class AtomicFile : IDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, FileStream> Pending = new(StringComparer.Ordinal);

    static AtomicFile()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeletePending();
    }

    private readonly FileStream stream;
    private readonly string tempPath;
    private bool committed;
    private bool disposed;

    private AtomicFile(string targetPath, string tempPath, FileStream stream)
    {
        TargetPath = targetPath;
        this.tempPath = tempPath;
        this.stream = stream;
    }

    /// <summary>The path the file will have once committed, as given to <see cref="Create"/>.</summary>
    public string TargetPath { get; }

    /// <summary>The stream to write the file's contents to.</summary>
    public Stream Stream => stream;

    /// <summary>Starts writing <paramref name="path"/> through a temporary file beside it.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="log">Told of each stale temporary file of the same target (left by a killed write) that is removed first.</param>
    /// <returns>The pending file; write to <see cref="Stream"/>, then call <see cref="Commit"/>.</returns>
    /// <exception cref="IOException">The path cannot be written (missing folder, no permission, a folder in the way); the message names the path.</exception>
    public static AtomicFile Create(string path, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        if (fileName.Length == 0 || Directory.Exists(fullPath))
        {
            throw new IOException($"Cannot write '{path}': it is a folder; pass a file path.");
        }

        string folder = Path.GetDirectoryName(fullPath)!;
        string tempPath = Path.Combine(folder, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (Directory.Exists(folder))
            {
                RemoveStale(Directory.EnumerateFiles(folder, $".{fileName}.*.tmp"), log);
            }

            var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            Pending[tempPath] = stream;
            return new AtomicFile(path, tempPath, stream);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new IOException($"Cannot write '{path}': the folder '{folder}' does not exist; create it first.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot write '{path}': permission denied in '{folder}'; choose a writable location.", e);
        }
        catch (IOException e)
        {
            throw new IOException($"Cannot write '{path}': {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="fileName"/> has the form of this class's temporary files, <c>.NAME.GUID.tmp</c>.</summary>
    public static bool IsTemporaryFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        const int GuidLength = 32;
        if (!fileName.StartsWith('.') || !fileName.EndsWith(".tmp", StringComparison.Ordinal) || fileName.Length < 1 + 1 + 1 + GuidLength + 4)
        {
            return false;
        }

        ReadOnlySpan<char> guid = fileName.AsSpan(fileName.Length - 4 - GuidLength, GuidLength);
        return fileName[fileName.Length - 5 - GuidLength] == '.' && guid.IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    /// <summary>
    /// Deletes the temporary files of this class in <paramref name="folder"/> that no write holds open: those left
    /// by a write that was killed (SIGKILL, a crash, power loss). Files of other names and temporary files being
    /// written are left alone.
    /// </summary>
    /// <param name="folder">The folder to clean; nothing happens if it does not exist.</param>
    /// <param name="log">Told of each file removed, with its size.</param>
    /// <returns>The number of files removed.</returns>
    public static int RemoveStaleTemporaryFiles(string folder, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        try
        {
            return RemoveStale(Directory.EnumerateFiles(folder, ".*.tmp"), log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // an unreadable folder fails later, where it is written, with a message naming it
        }
    }

    private static int RemoveStale(IEnumerable<string> candidates, Action<string>? log)
    {
        int removed = 0;
        foreach (string file in candidates.ToList())
        {
            if (!IsTemporaryFileName(Path.GetFileName(file)))
            {
                continue;
            }

            try
            {
                long length;
                // Held open exclusively by a write in progress (in any process): opening it exclusively then fails.
                using (var probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    length = probe.Length;
                    File.Delete(file);
                }

                removed++;
                log?.Invoke($"removed the stale temporary file '{file}' ({length.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes) of an interrupted write");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a live write, or already gone.
            }
        }

        return removed;
    }

    private static void DeletePending()
    {
        foreach (var (path, stream) in Pending)
        {
            try
            {
                stream.Dispose();
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // Best effort at exit.
            }
        }
    }

    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="write"/> puts in the stream.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="write">Writes the contents. If it throws, the old file (if any) is kept and the exception propagates.</param>
    /// <exception cref="IOException">The path cannot be written; the message names the path.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var file = Create(path);
        write(file.Stream);
        file.Commit();
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="bytes">The complete contents of the file.</param>
    /// <exception cref="IOException">The path cannot be written; the message names the path.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = Create(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Flushes the contents to disk and renames the temporary file onto the target path.</summary>
    /// <exception cref="IOException">The file could not be flushed or moved into place; the message names the path.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (committed)
        {
            throw new InvalidOperationException($"'{TargetPath}' has already been committed.");
        }

        try
        {
            stream.Flush(flushToDisk: true);
            if (OperatingSystem.IsWindows())
            {
                stream.Dispose(); // Windows cannot rename a file held open
            }

            // Elsewhere the file stays held while it is renamed, so no cleaner takes it for a stale one in between.
            File.Move(tempPath, TargetPath, overwrite: true);
            committed = true;
            Pending.TryRemove(tempPath, out _);
            stream.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write '{TargetPath}': {e.Message}", e);
        }
    }

    /// <summary>Closes the stream; if the file was not committed, deletes the temporary file and leaves the target as it was.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stream.Dispose();
        Pending.TryRemove(tempPath, out _);
        if (!committed)
        {
            try
            {
                File.Delete(tempPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the temporary file is hidden and harmless if it cannot be removed.
            }
        }
    }
}
