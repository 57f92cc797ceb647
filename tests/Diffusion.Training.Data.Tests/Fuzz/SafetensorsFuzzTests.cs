using System.Text;
using Diffusion.Training.Data.Safetensors;
using FsCheck;
using FsCheck.Fluent;

namespace Diffusion.Training.Data.Tests.Fuzz;

/// <summary>
/// Property-based tests of the safetensors reader: random valid files and their mutations either parse to
/// content that round-trips through the writer, or raise <see cref="InvalidDataException"/> with a message
/// naming the file; never another exception.
/// </summary>
public sealed class SafetensorsFuzzTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly SafetensorsDType[] DTypes = Enum.GetValues<SafetensorsDType>();

    private static Gen<KeyValuePair<string, SafetensorsTensor>> Tensor(int index) =>
        from dtype in Gen.Elements(DTypes)
        from shape in Gen.Choose(0, 3).SelectMany(rank => Gen.ArrayOf(Gen.Choose(0, 4).Select(d => (long)d), rank))
        let count = shape.Aggregate(1L, (a, b) => a * b)
        from data in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), (int)count * dtype.ElementSize())
        from name in Gen.Elements("w", "model.b", "ema.w", "é", "a\"b", "x y", "__metadata_", "t")
        select new KeyValuePair<string, SafetensorsTensor>($"{name}{index}", new SafetensorsTensor(dtype, shape, data));

    private static Gen<byte[]> ValidFile =>
        from count in Gen.Choose(0, 4)
        from tensors in Gen.CollectToArray(Enumerable.Range(0, count).Select(Tensor))
        from metadata in Gen.ArrayOf(Gen.Elements("format", "step", "loss", "k\u00e9y", "", "a\"b"), Gen.Choose(0, 3).Sample(1, 1)[0])
        select Encode(tensors, metadata.Distinct().ToDictionary(k => k, k => $"v{k.Length}"));

    private static byte[] Encode(KeyValuePair<string, SafetensorsTensor>[] tensors, Dictionary<string, string> metadata)
    {
        using var stream = new MemoryStream();
        SafetensorsFile.Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>Headers written by hand: valid-looking JSON with the kinds of mistakes hostile files make.</summary>
    private static Gen<byte[]> HandWrittenHeader =>
        from header in Gen.Elements(
            "{}", "[]", "{\"__metadata__\":{\"a\":1}}", "{\"__metadata__\":[]}", "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            "{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "{\"t\":{\"dtype\":\"F32\",\"shape\":[1e3],\"data_offsets\":[0,4]}}",
            "{\"t\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}", "{\"t\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,0]}}",
            "{\"t\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "{\"t\":{\"dtype\":null,\"shape\":null,\"data_offsets\":null}}", "{\"\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}",
            "{\"__metadata__\":{\"a\":\"b\",\"a\":\"c\"}}", "{\"t\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
            "{\"t\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[0,1,2]}}", "{\"t\":{}}", "{\"t\":1}", "{" + new string('[', 300), "\"x\"", "{\"t\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[18446744073709551615,0]}}")
        from data in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), Gen.Choose(0, 8).Sample(1, 1)[0])
        select (byte[])[.. BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(header)), .. Encoding.UTF8.GetBytes(header), .. data];

    private bool ParsesAndRoundTripsOrFailsWithOurException(byte[] bytes)
    {
        string path = folder.File($"case-{Environment.CurrentManagedThreadId}.safetensors");
        File.WriteAllBytes(path, bytes);
        SafetensorsContent content;
        try
        {
            content = SafetensorsFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            Assert.Contains(path, e.Message);
            return true;
        }
        // Parsed: writing it back and reading it again gives the same tensors and metadata.
        using var stream = new MemoryStream();
        SafetensorsFile.Write(stream, content.Tensors, content.Metadata);
        File.WriteAllBytes(path, stream.ToArray());
        var again = SafetensorsFile.Read(path);
        Assert.Equal(content.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal), again.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
        Assert.Equal(content.Tensors.Keys.Order(StringComparer.Ordinal), again.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in content.Tensors)
        {
            Assert.Equal(tensor.DType, again.Tensors[name].DType);
            Assert.Equal(tensor.Shape, again.Tensors[name].Shape);
            Assert.True(tensor.Bytes.SequenceEqual(again.Tensors[name].Bytes));
        }
        return true;
    }

    [Fact]
    public void ValidFilesRoundTripExactly() => Fuzzing.Check(ValidFile, bytes =>
    {
        string path = folder.File("valid.safetensors");
        File.WriteAllBytes(path, bytes);
        SafetensorsFile.Read(path); // must not throw
        return ParsesAndRoundTripsOrFailsWithOurException(bytes);
    }, cases: 1000);

    [Fact]
    public void MutatedFilesParseAndRoundTripOrRaiseInvalidDataException() =>
        Fuzzing.Check(Mutations.Of(ValidFile), ParsesAndRoundTripsOrFailsWithOurException);

    [Fact]
    public void HandWrittenAndMutatedHeadersParseAndRoundTripOrRaiseInvalidDataException() =>
        Fuzzing.Check(Gen.OneOf(HandWrittenHeader, Mutations.Of(HandWrittenHeader)), ParsesAndRoundTripsOrFailsWithOurException);
}
