using System.Text;
using Diffusion.Training.Data.Safetensors;

namespace Diffusion.Training.Data.Tests.Safetensors;

public sealed class SafetensorsCorruptionTests : IDisposable
{
    private const string TwoFloats = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string ReadFails(byte[] bytes, string problem)
    {
        string path = folder.File("corrupt.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.StartsWith($"Cannot read safetensors file '{path}': ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.EndsWith("the file is truncated or corrupt, write it again.", error.Message);
        return error.Message;
    }

    [Fact]
    public void A_valid_file_is_read()
    {
        string path = folder.File("valid.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Build(TwoFloats, new byte[8]));
        Assert.Equal([0f, 0f], SafetensorsFile.Read(path).Tensor("w").ToFloats());
    }

    [Fact]
    public void A_file_shorter_than_the_length_prefix() =>
        ReadFails([1, 2, 3], "it is 3 bytes long, shorter than the 8-byte header length");

    [Fact]
    public void A_header_longer_than_the_file() =>
        ReadFails(SafetensorsBytes.Build(Encoding.UTF8.GetBytes("{}"), 50), "its header declares 50 bytes but only 2 follow");

    [Fact]
    public void A_header_beyond_the_size_limit() =>
        ReadFails(SafetensorsBytes.Build(Encoding.UTF8.GetBytes("{}"), 200_000_000), "exceeds the 100000000-byte limit");

    [Fact]
    public void A_header_that_is_not_an_object() =>
        ReadFails(SafetensorsBytes.Build("[1,2]"), "does not start with '{'");

    [Fact]
    public void A_header_that_is_not_json() =>
        ReadFails(SafetensorsBytes.Build("{\"w\":"), "its header is not valid JSON");

    [Fact]
    public void A_header_with_invalid_utf8() =>
        ReadFails(SafetensorsBytes.Build([(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'], 7), "its header is not valid UTF-8");

    [Fact]
    public void An_unknown_dtype() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats.Replace("F32", "F33"), new byte[8]), "tensor 'w' has unknown dtype 'F33'");

    [Fact]
    public void A_missing_shape() =>
        ReadFails(SafetensorsBytes.Build("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "tensor 'w' has no \"shape\" array");

    [Fact]
    public void A_negative_dimension() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats.Replace("[2]", "[-2]"), new byte[8]), "\"shape\" entry -2 that is not a non-negative integer");

    [Fact]
    public void Three_offsets() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats.Replace("[0,8]", "[0,4,8]"), new byte[8]), "has 3 data_offsets instead of 2");

    [Fact]
    public void Offsets_that_end_before_they_begin() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats.Replace("[0,8]", "[8,0]"), new byte[8]), "end before they begin");

    [Fact]
    public void A_shape_that_does_not_match_the_byte_span() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats.Replace("[2]", "[3]"), new byte[8]),
            "tensor 'w' is F32 of shape [3], which takes 12 bytes, but its data_offsets [0, 8] span 8");

    [Fact]
    public void Truncated_data() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats, new byte[5]), "data_offsets [0, 8] past the end of the 5 data bytes");

    [Fact]
    public void A_gap_between_tensors() =>
        ReadFails(SafetensorsBytes.Build(
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]}}", new byte[5]),
            "bytes [2, 3) of the data belong to no tensor (a gap before tensor 'b')");

    [Fact]
    public void Overlapping_tensors() =>
        ReadFails(SafetensorsBytes.Build(
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", new byte[4]),
            "tensor 'b' at [2, 4) overlaps tensor 'a' at [0, 3)");

    [Fact]
    public void Data_not_starting_at_zero() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats.Replace("[0,8]", "[1,9]"), new byte[9]), "bytes [0, 1) of the data belong to no tensor");

    [Fact]
    public void Trailing_bytes_after_the_last_tensor() =>
        ReadFails(SafetensorsBytes.Build(TwoFloats, new byte[12]), "the tensors cover 8 data bytes but 12 follow the header");

    [Fact]
    public void A_name_given_twice() =>
        ReadFails(SafetensorsBytes.Build(
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", new byte[2]),
            "its header names 'w' twice");

    [Fact]
    public void Metadata_with_a_number_value() =>
        ReadFails(SafetensorsBytes.Build("{\"__metadata__\":{\"step\":5}}"), "its __metadata__ entry 'step' is not a unique string value");

    [Fact]
    public void A_tensor_entry_that_is_not_an_object() =>
        ReadFails(SafetensorsBytes.Build("{\"w\":[0,8]}", new byte[8]), "tensor 'w' is not described by a JSON object");

    [Fact]
    public void A_written_file_cut_short_is_refused()
    {
        string path = folder.File("cut.safetensors");
        SafetensorsFile.Write(path, [new("w", SafetensorsTensor.FromFloats(new float[16]))]);
        byte[] bytes = File.ReadAllBytes(path);

        ReadFails(bytes[..^4], "past the end of the 60 data bytes");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string path = folder.File("absent.safetensors");
        var error = Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Read(path));
        Assert.Contains($"'{path}' does not exist", error.Message);
    }
}
