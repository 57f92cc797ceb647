using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Diffusion.Testing;

namespace Diffusion.Packaging.Tests;

/// <summary>
/// What a .NET team does on day one: add the package to a new console app and run the README's
/// program; install the tool and run it from an empty folder.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class PackageTests(PackagedRuntime packaged) : IClassFixture<PackagedRuntime>
{
    [Fact]
    public void TheLibraryPackageCarriesDocsAReadmeAndOnnxRuntimeAsADependencyNotNatives()
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(packaged.Packages, $"Diffusion.Runtime.{packaged.Version}.nupkg"));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/Diffusion.Runtime.dll", names);
        Assert.Contains("lib/net10.0/Diffusion.Runtime.xml", names);
        Assert.Contains("README.md", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".so", StringComparison.Ordinal) || n.EndsWith(".dll", StringComparison.Ordinal) && n.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase));
        using var nuspec = new StreamReader(zip.GetEntry("Diffusion.Runtime.nuspec")!.Open());
        string text = nuspec.ReadToEnd();
        Assert.Contains("<dependency id=\"Microsoft.ML.OnnxRuntime.Managed\" version=\"1.31.0\"", text);
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
        Assert.Contains("<readme>README.md</readme>", text);
    }

    [Fact]
    public void ANewConsoleAppBuildsAgainstThePackagesAndRunsTheReadmeProgram()
    {
        string app = Path.Combine(packaged.Root, "consumer");
        Ok(Dotnet(["new", "console", "-o", app, "--no-restore"]));
        foreach (var (id, version) in new[] { ("Diffusion.Runtime", packaged.Version), ("Diffusion.Runtime.Imaging", packaged.Version), ("Microsoft.ML.OnnxRuntime.Gpu.Linux", "1.31.0") })
            Ok(Dotnet(["add", app, "package", id, "--version", version, "--no-restore"]));
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeProgram());
        Ok(Dotnet(["build", app, "-c", "Release"]));

        string work = Directory.CreateDirectory(Path.Combine(packaged.Root, "consumer-run")).FullName;
        string model = Path.Combine(RepositoryPaths.Models, "mnist-ddpm.onnx");
        var run = Ok(DotnetProcess.Run("dotnet", [Path.Combine(app, "bin", "Release", "net10.0", "consumer.dll"), model], work, packaged.Environment));

        Assert.Contains("wrote 16 samples (19 model evaluations each) to samples.png", run.Output);
        var text = PngText(File.ReadAllBytes(Path.Combine(work, "samples.png")));
        Assert.Equal("mnist-ddpm.onnx", text["Model"]);
        Assert.Equal("heun", text["Sampler"]);
        Assert.Equal("10", text["Steps"]);
        Assert.Equal("42", text["Seed"]);
    }

    [Fact]
    public void TheToolInstallsFromThePackageFolderAndSamplesFromAnEmptyFolder()
    {
        string tools = Path.Combine(packaged.Root, "tools");
        Ok(Dotnet(["tool", "install", "Diffusion.Cli", "--tool-path", tools, "--add-source", packaged.Packages, "--version", packaged.Version]));

        string empty = Directory.CreateDirectory(Path.Combine(packaged.Root, "empty")).FullName;
        var run = Ok(DotnetProcess.Run(Path.Combine(tools, "diffusion"), ["sample", "--count", "4", "--steps", "5", "--out", "four.png"], empty, packaged.Environment));

        Assert.Contains("wrote 4 samples to " + Path.Combine(empty, "four.png"), run.Output);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(empty, "four.png")).Take(4));
        // --device auto: CUDA, or the CPU with one line naming the library that is missing.
        if (run.Error.Contains("CUDA is not available", StringComparison.Ordinal))
            Assert.Matches(@"CUDA is not available, using the CPU: the CUDA execution provider could not be loaded \(lib[\w.]+\.so[.\d]*: cannot open shared object file", run.Error);
        Assert.DoesNotContain("[E:onnxruntime", run.Error); // ONNX Runtime's own log goes through ours, not to stderr
    }

    private DotnetProcess.Result Dotnet(string[] arguments) => DotnetProcess.Run("dotnet", arguments, packaged.Root, packaged.Environment);

    private static DotnetProcess.Result Ok(DotnetProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>The C# program of the README's "Use it from C#" section, as it stands there.</summary>
    private static string ReadmeProgram()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("## Use it from C#", StringComparison.Ordinal)..];
        return CSharpBlock().Match(section).Groups[1].Value;
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    /// <summary>The tEXt chunks of a PNG file, keyword to text.</summary>
    private static Dictionary<string, string> PngText(byte[] png)
    {
        var text = new Dictionary<string, string>();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (Encoding.ASCII.GetString(png, at + 4, 4) == "tEXt")
            {
                var data = png.AsSpan(at + 8, length);
                int zero = data.IndexOf((byte)0);
                text[Encoding.Latin1.GetString(data[..zero])] = Encoding.Latin1.GetString(data[(zero + 1)..]);
            }
            at += 12 + length;
        }
        return text;
    }
}
