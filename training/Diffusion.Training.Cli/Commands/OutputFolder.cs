using Diffusion.Runtime;

namespace Diffusion.Training.Cli.Commands;

/// <summary>Checks an output folder option before any work: not empty, not a file, not under a file, writable.</summary>
internal static class OutputFolder
{
    /// <summary>Returns <paramref name="path"/> when it can be used as an output folder (it may not exist yet).</summary>
    /// <exception cref="DiffusionException">It cannot; the message names <paramref name="option"/> and the path.</exception>
    public static string Validate(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new DiffusionException($"{option} is empty: pass the folder the run writes to.");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new DiffusionException($"{option} '{path}' is not a valid path: {e.Message}", e);
        }
        if (File.Exists(full))
            throw new DiffusionException($"{option} '{path}' is a file: pass a folder (it is created if missing).");
        for (string? parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
                throw new DiffusionException($"{option} '{path}' lies under '{parent}', which is a file: pass a folder path.");
            if (Directory.Exists(parent)) break;
        }
        if (Directory.Exists(full))
        {
            string probe = Path.Combine(full, $".diffusion-train.probe.{Environment.ProcessId}");
            try
            {
                using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DiffusionException($"{option} '{path}' is not writable ({e.Message}): choose a folder you can write to.", e);
            }
        }
        return path;
    }

    /// <summary>Returns <paramref name="path"/> when a file can be written there: not empty, not a folder, its folder usable.</summary>
    /// <exception cref="DiffusionException">It cannot; the message names <paramref name="option"/> and the path.</exception>
    public static string ValidateFile(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new DiffusionException($"{option} is empty: pass the file to write.");
        if (Directory.Exists(path) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new DiffusionException($"{option} '{path}' is a folder: pass a file path, e.g. {Path.Combine(path, "model.onnx")}.");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Validate(folder, option + "'s folder");
        return path;
    }
}
