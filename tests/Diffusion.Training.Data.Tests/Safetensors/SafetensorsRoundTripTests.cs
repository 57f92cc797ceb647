using System.Text;
using Diffusion.Training.Data.Safetensors;

namespace Diffusion.Training.Data.Tests.Safetensors;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Tensors_and_metadata_read_back_as_written()
    {
        string path = folder.File("checkpoint.safetensors");
        float[] weights = [.. Enumerable.Range(0, 24).Select(i => i * 0.25f - 1)];
        double[] moments = [1e-300, -0.0, double.MaxValue];
        long[] rng = [long.MinValue, -1, 0, long.MaxValue];
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "diffusion-training",
            ["config"] = "{\"lr\": 0.0002, \"name\": \"ünet \\\"small\\\"\"}",
        };

        SafetensorsFile.Write(path, new Dictionary<string, SafetensorsTensor>
        {
            ["model.weight"] = SafetensorsTensor.FromFloats(weights, [2, 3, 4]),
            ["adam.m"] = SafetensorsTensor.FromDoubles(moments),
            ["rng"] = SafetensorsTensor.FromInt64s(rng, [2, 2]),
            ["step"] = SafetensorsTensor.Scalar(12_345L),
            ["empty"] = SafetensorsTensor.FromFloats([], [0, 3]),
        }, metadata);
        SafetensorsContent content = SafetensorsFile.Read(path);

        Assert.Equal(weights, content.Tensor("model.weight").ToFloats());
        Assert.Equal([2L, 3, 4], content.Tensor("model.weight").Shape);
        Assert.Equal(moments, content.Tensor("adam.m").ToDoubles());
        Assert.Equal(rng, content.Tensor("rng").ToInt64s());
        Assert.Equal([2L, 2], content.Tensor("rng").Shape);
        Assert.Equal([12_345L], content.Tensor("step").ToInt64s());
        Assert.Empty(content.Tensor("step").Shape);
        Assert.Equal(0, content.Tensor("empty").ElementCount);
        Assert.Equal([0L, 3], content.Tensor("empty").Shape);
        Assert.Equal(metadata, content.Metadata);
        Assert.Equal(5, content.Tensors.Count);
    }

    [Fact]
    public void A_small_file_matches_the_format_byte_for_byte()
    {
        string path = folder.File("small.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, SafetensorsTensor>
        {
            ["a"] = SafetensorsTensor.FromFloats([1, 2, 3, 4], [2, 2]),
            ["c"] = SafetensorsTensor.Scalar(0.5),
            ["b"] = SafetensorsTensor.FromInt64s([1, -2]),
        }, new Dictionary<string, string> { ["format"] = "pt" });

        // Tensors of 8-byte elements first, by name, then the float32 one; 3 spaces pad the
        // header so the data starts at byte 8 + 197 + 3 = 208, a multiple of 8.
        const string header =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"c\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]}}" +
            "   ";
        byte[] expected =
        [
            200, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(header),
            0x01, 0, 0, 0, 0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // b: 1, -2
            0, 0, 0, 0, 0, 0, 0xE0, 0x3F, // c: 0.5
            0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, // a: 1, 2, 3, 4
        ];

        Assert.Equal(200, header.Length);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_hand_built_file_without_padding_or_metadata_is_read()
    {
        string path = folder.File("hand.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Build(
            "{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]},\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}",
            [7, 9], [0, 0, 0x80, 0xBF]));

        SafetensorsContent content = SafetensorsFile.Read(path);

        Assert.Equal(["x", "y"], content.Names);
        Assert.Equal([7, 9], content.Tensor("x").Bytes.ToArray());
        Assert.Equal([-1f], content.Tensor("y").ToFloats());
        Assert.Empty(content.Metadata);
    }

    [Fact]
    public void Every_tensor_starts_at_a_multiple_of_its_element_size()
    {
        string path = folder.File("aligned.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, SafetensorsTensor>
        {
            ["odd"] = new(SafetensorsDType.U8, [3], [1, 2, 3]),
            ["half"] = new(SafetensorsDType.F16, [1], [0, 0x3C]),
            ["float"] = SafetensorsTensor.FromFloats([1]),
            ["long"] = SafetensorsTensor.FromInt64s([5]),
        });
        long headerLength = BitConverter.ToInt64(File.ReadAllBytes(path), 0);
        SafetensorsContent content = SafetensorsFile.Read(path);

        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.Equal(["long", "float", "half", "odd"], content.Names);
        Assert.Equal([1f], content.Tensor("half").ToFloats());
    }

    [Fact]
    public void Bfloat16_and_int32_widen_when_read()
    {
        var bf16 = new SafetensorsTensor(SafetensorsDType.BF16, [2], [0x80, 0x3F, 0x00, 0xC0]);
        var i32 = new SafetensorsTensor(SafetensorsDType.I32, [1], [0xFF, 0xFF, 0xFF, 0xFF]);

        Assert.Equal([1f, -2f], bf16.ToFloats());
        Assert.Equal([-1L], i32.ToInt64s());
    }

    [Fact]
    public void Reading_as_the_wrong_type_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SafetensorsTensor.FromInt64s([1]).ToFloats());
        Assert.Contains("The tensor is I64", error.Message);
    }

    [Fact]
    public void Asking_for_a_missing_tensor_names_the_file_and_its_tensors()
    {
        string path = folder.File("one.safetensors");
        SafetensorsFile.Write(path, [new("w", SafetensorsTensor.FromFloats([1]))]);

        var error = Assert.Throws<KeyNotFoundException>(() => SafetensorsFile.Read(path).Tensor("ema.w"));
        Assert.Contains($"'{path}' has no tensor 'ema.w'; it holds w", error.Message);
    }

    [Fact]
    public void Rewriting_replaces_the_file_and_leaves_no_temporary_file()
    {
        string path = folder.File("state.safetensors");
        SafetensorsFile.Write(path, [new("step", SafetensorsTensor.Scalar(1L))]);
        SafetensorsFile.Write(path, [new("step", SafetensorsTensor.Scalar(2L))]);

        Assert.Equal([2L], SafetensorsFile.Read(path).Tensor("step").ToInt64s());
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    public void Reserved_or_empty_names_are_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(new MemoryStream(), [new(name, SafetensorsTensor.Scalar(1L))]));
        Assert.Contains("is not allowed", error.Message);
    }

    [Fact]
    public void Repeated_names_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(new MemoryStream(),
            [new("w", SafetensorsTensor.Scalar(1L)), new("w", SafetensorsTensor.Scalar(2L))]));
        Assert.Contains("given twice", error.Message);
    }

    [Fact]
    public void Bytes_that_do_not_fit_the_shape_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new SafetensorsTensor(SafetensorsDType.F32, [3], new byte[8]));
        Assert.Contains("takes 12 bytes, but 8 were given", error.Message);
    }
}
