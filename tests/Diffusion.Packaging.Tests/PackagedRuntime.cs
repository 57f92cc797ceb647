using Diffusion.Testing;

namespace Diffusion.Packaging.Tests;

/// <summary>
/// The repository's packages, packed once into a temporary folder, with a NuGet setup that takes
/// them from there and everything else (ONNX Runtime, Microsoft.Extensions) from the machine's
/// package cache, so nothing is downloaded and no stale copy of our packages is ever used.
/// </summary>
public sealed class PackagedRuntime : IDisposable
{
    private static readonly string[] Packable =
    [
        "runtime/Diffusion.Runtime/Diffusion.Runtime.csproj",
        "runtime/Diffusion.Runtime.IO/Diffusion.Runtime.IO.csproj",
        "runtime/Diffusion.Runtime.Imaging/Diffusion.Runtime.Imaging.csproj",
        "runtime/Diffusion.Runtime.Hosting/Diffusion.Runtime.Hosting.csproj",
        "runtime/Diffusion.Cli/Diffusion.Cli.csproj",
    ];

    public PackagedRuntime()
    {
        Root = Directory.CreateTempSubdirectory("diffusion-packaging-").FullName;
        Packages = Directory.CreateDirectory(Path.Combine(Root, "packages")).FullName;
        string cache = Directory.CreateDirectory(Path.Combine(Root, "nuget-cache")).FullName;
        string machineCache = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="diffusion-local" value="{Packages}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{machineCache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        Environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = cache };

        foreach (string project in Packable)
        {
            var pack = DotnetProcess.Run("dotnet", ["pack", Path.Combine(RepositoryPaths.Root, project), "-c", "Release", "--no-build", "-o", Packages],
                RepositoryPaths.Root);
            if (pack.ExitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed: {pack}");
        }
        Version = Directory.GetFiles(Packages, "Diffusion.Runtime.*.nupkg")
            .Select(f => System.Text.RegularExpressions.Regex.Match(Path.GetFileName(f), @"^Diffusion\.Runtime\.(\d+\.\d+\.\d+[^/]*)\.nupkg$"))
            .Single(m => m.Success).Groups[1].Value;
    }

    /// <summary>A temporary folder holding the packages, the NuGet config and whatever the tests create.</summary>
    public string Root { get; }

    /// <summary>The folder the packages were packed into.</summary>
    public string Packages { get; }

    /// <summary>The version the packages carry.</summary>
    public string Version { get; }

    /// <summary>What every dotnet command of the tests runs with: its own package cache.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
