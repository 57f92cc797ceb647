namespace Diffusion.Runtime.IO;

/// <summary>
/// Writes a file all-or-nothing: the bytes go to a temporary file in the target's folder,
/// which replaces the target by a rename only on <see cref="Commit"/>. Until then an existing
/// file at the target path is left untouched, and disposing without committing deletes the
/// temporary file, so readers never see a half-written file.
/// </summary>
/// <example>
/// <code>
/// using var file = AtomicFile.Create("out.bin");
/// file.Stream.Write(bytes);
/// file.Commit();
/// </code>
/// </example>
public sealed class AtomicFile : IDisposable
{
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
    /// <returns>The pending file; write to <see cref="Stream"/>, then call <see cref="Commit"/>.</returns>
    /// <exception cref="IOException">The path cannot be written (missing folder, no permission, a folder in the way); the message names the path.</exception>
    public static AtomicFile Create(string path)
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
            var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
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
            stream.Dispose();
            File.Move(tempPath, TargetPath, overwrite: true);
            committed = true;
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
