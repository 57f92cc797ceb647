namespace Diffusion.Testing;

/// <summary>Paths inside the repository, found from the test binaries.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding Diffusion.Runtime.sln, above the running test's binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The shipped models folder.</summary>
    public static string Models => Path.Combine(Root, "models");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Diffusion.Runtime.sln"))) return folder.FullName;
        throw new InvalidOperationException("cannot find the repository root (Diffusion.Runtime.sln) above the test binaries.");
    }
}
