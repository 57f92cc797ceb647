using System.Text.Json;
using Diffusion.Runtime;
using Diffusion.Training.Checkpoints;
using Diffusion.Training.Data.Safetensors;
using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;

namespace Diffusion.Training.Tests.Reliability;

/// <summary>Checkpoints carry a SHA-256 of every tensor; corrupt data and non-finite values are refused on load, resume and export, naming the tensor.</summary>
public class CheckpointIntegrityTests
{
    private static string TrainAndSave(TempFolder folder)
    {
        var data = TinyRuns.LoadRing();
        using var trainer = Training.Trainer.Start(TinyRuns.Run(data, TinyRuns.Options(6)), data, folder.File("run"));
        trainer.Train();
        return trainer.CheckpointPath;
    }

    /// <summary>Rewrites the checkpoint with <paramref name="change"/> applied to one tensor's floats; keeps the stored checksums unless <paramref name="rehash"/>.</summary>
    private static string Rewrite(string path, string tensor, Action<float[]> change, bool rehash)
    {
        var content = SafetensorsFile.Read(path);
        var metadata = content.Metadata.ToDictionary(m => m.Key, m => m.Value);
        var tensors = content.Tensors.ToDictionary(t => t.Key, t => t.Value);
        float[] values = tensors[tensor].ToFloats();
        change(values);
        tensors[tensor] = SafetensorsTensor.FromFloats(values, tensors[tensor].Shape);
        if (rehash)
        {
            var sums = JsonSerializer.Deserialize<Dictionary<string, string>>(metadata[CheckpointFile.ChecksumsKey])!;
            sums[tensor] = CheckpointFile.Checksum(tensors[tensor]);
            metadata[CheckpointFile.ChecksumsKey] = JsonSerializer.Serialize(sums);
        }
        SafetensorsFile.Write(path, tensors, metadata);
        return path;
    }

    [Fact]
    public void EveryTensorHasAChecksumThatMatchesItsData()
    {
        using var folder = new TempFolder();
        var content = SafetensorsFile.Read(TrainAndSave(folder));
        var sums = JsonSerializer.Deserialize<Dictionary<string, string>>(content.Metadata[CheckpointFile.ChecksumsKey])!;
        Assert.Equal(content.Tensors.Keys.Order(), sums.Keys.Order());
        foreach (var (name, tensor) in content.Tensors)
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tensor.Bytes)), sums[name]);
    }

    [Theory]
    [InlineData("model.")]
    [InlineData("ema.")]
    [InlineData("optimizer.v.")]
    public void AChangedValueIsACorruptCheckpointNamingTheTensor(string prefix)
    {
        using var folder = new TempFolder();
        string path = TrainAndSave(folder);
        string tensor = SafetensorsFile.Read(path).Tensors.Keys.First(k => k.StartsWith(prefix, StringComparison.Ordinal));
        Rewrite(path, tensor, v => v[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v[0]) ^ 1), rehash: false);
        var e = Assert.Throws<DiffusionException>(() => CheckpointFile.Load(path));
        Assert.Contains($"tensor '{tensor}' does not match its checksum", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ANonFiniteValueWithAValidChecksumIsRefusedByLoadResumeAndExport(float bad)
    {
        using var folder = new TempFolder();
        string path = TrainAndSave(folder);
        string tensor = SafetensorsFile.Read(path).Tensors.Keys.First(k => k.StartsWith("ema.", StringComparison.Ordinal));
        Rewrite(path, tensor, v => v[^1] = bad, rehash: true);

        var e = Assert.Throws<DiffusionException>(() => CheckpointFile.Load(path));
        Assert.Contains($"non-finite value in tensor '{tensor}'", e.Message);
        Assert.Throws<DiffusionException>(() => CheckpointExport.ToOnnx(path, folder.File("model.onnx")));
        Assert.False(File.Exists(folder.File("model.onnx")));
        CliTests.AssertOneLineError(CliProcess.Run("train", "--resume", "--steps", "8", "--out", folder.File("run")), $"tensor '{tensor}'");
        CliTests.AssertOneLineError(CliProcess.Run("export", path, "--out", folder.File("model.onnx")), $"tensor '{tensor}'");
    }

    [Fact]
    public void ANegativeStepIsACorruptCheckpoint()
    {
        using var folder = new TempFolder();
        string path = TrainAndSave(folder);
        var content = SafetensorsFile.Read(path);
        var metadata = content.Metadata.ToDictionary(m => m.Key, m => m.Value);
        metadata["step"] = "-3";
        SafetensorsFile.Write(path, content.Tensors, metadata);
        var e = Assert.Throws<DiffusionException>(() => CheckpointFile.Load(path));
        Assert.Contains("negative 'step' (-3)", e.Message);
    }
}
