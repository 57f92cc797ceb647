using Diffusion.Runtime.IO;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;

namespace Diffusion.Training.Tests.Reliability;

/// <summary>Bad paths and non-finite numbers are refused before any work, with a message naming the option.</summary>
public class CliInputTests
{
    [Theory]
    [InlineData("--lr", "Infinity")]
    [InlineData("--sigma-data", "NaN")]
    [InlineData("--p-mean", "-Infinity")]
    [InlineData("--ema", "NaN")]
    public void NonFiniteFloatOptionsAreRefusedNamingTheOption(string option, string value)
    {
        using var folder = new TempFolder();
        var result = CliProcess.Run("train", "-d", "ring", option, value, "--out", folder.File("run"));
        Assert.Equal(1, result.Code);
        Assert.Contains($"{option} must be a finite number, got {value}", result.Error);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Theory]
    [InlineData("2000000000")]
    [InlineData("65537")]
    public void ABatchBeyondTheLimitIsRefusedBeforeAnyWork(string batch)
    {
        using var folder = new TempFolder();
        var result = CliProcess.Run("train", "-d", "ring", "--batch", batch, "--out", folder.File("run"));
        CliTests.AssertOneLineError(result, $"batch size must lie in 1 to 65536, got {batch}");
        Assert.DoesNotContain("unexpected", result.Error);
    }

    [Fact]
    public void OutputPathsAreCheckedBeforeAnyWork()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("file"), "x");
        CliTests.AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--out", ""), "--out is empty");
        CliTests.AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--out", folder.File("file")), "is a file");
        CliTests.AssertOneLineError(CliProcess.Run("train", "-d", "ring", "--out", folder.File("file/run")), "which is a file");
        CliTests.AssertOneLineError(CliProcess.Run("export", folder.File("none.safetensors"), "--out", folder.Path), "is a folder");
        CliTests.AssertOneLineError(CliProcess.Run("export", folder.File("none.safetensors"), "--out", ""), "--out is empty");
    }

    [Fact]
    public void AStaleTemporaryFileInTheOutputFolderIsRemovedWithAMessage()
    {
        using var folder = new TempFolder();
        string run = folder.File("run");
        Directory.CreateDirectory(run);
        string stale = Path.Combine(run, $".checkpoint.safetensors.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, new byte[1234]);
        File.WriteAllText(Path.Combine(run, ".notes.tmp"), "not ours");
        var result = CliProcess.Run("train", "-d", "ring", "--steps", "2", "--hidden", "8", "--batch", "8", "--preview-every", "0", "--out", run);
        Assert.True(result.Code == 0, result.Error);
        Assert.Contains($"removed the stale temporary file '{stale}' (1234 bytes)", result.Error);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(Path.Combine(run, ".notes.tmp")));
        Assert.True(AtomicFile.IsTemporaryFileName(Path.GetFileName(stale)));
    }
}
