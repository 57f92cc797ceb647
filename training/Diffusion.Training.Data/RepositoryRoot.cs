
namespace Diffusion.Training.Data;

/// <summary>
/// Finds the repository's root folder (the one holding <c>Diffusion.Runtime.sln</c>), under whose
/// git-ignored <c>.deps/</c> folder fetched packages such as MNIST are kept.
/// </summary>
public static class RepositoryRoot
{
    /// <summary>The file that marks the root.</summary>
    public const string MarkerFile = "Diffusion.Runtime.sln";

    /// <summary>
    /// The root: <paramref name="explicitRoot"/> if given, else the first folder holding
    /// <see cref="MarkerFile"/> above the application's base directory or the current directory.
    /// </summary>
    /// <exception cref="DatasetException">An explicit root does not exist, or no root was found.</exception>
    public static string Find(string? explicitRoot = null)
    {
        if (explicitRoot is not null)
        {
            return Directory.Exists(explicitRoot)
                ? Path.GetFullPath(explicitRoot)
                : throw new DatasetException($"The repository root '{explicitRoot}' does not exist; pass the folder holding {MarkerFile}.");
        }

        string[] starts = [AppContext.BaseDirectory, Environment.CurrentDirectory];
        foreach (string start in starts)
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, MarkerFile)))
                {
                    return folder.FullName;
                }
            }
        }

        throw new DatasetException(
            $"Cannot find the repository root (a folder holding {MarkerFile}) above '{starts[0]}' or '{starts[1]}'; run from inside the repository or pass its root explicitly.");
    }
}
