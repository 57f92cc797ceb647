using System.Buffers.Binary;
using System.Text;
using Diffusion.Runtime.IO;
using FsCheck;
using FsCheck.Fluent;

namespace Diffusion.Training.Data.Tests.Fuzz;

/// <summary>
/// Property-based tests of the .npy reader: random valid files (float16/32/64, versions 1-3, written by hand like
/// NumPy does) and their mutations either parse to an array that round-trips through the writer, or raise
/// <see cref="InvalidDataException"/> with a message naming the file; never another exception.
/// </summary>
public sealed class NpyFuzzTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static Gen<byte[]> ValidFile =>
        from version in Gen.Choose(1, 3)
        from descr in Gen.Elements("<f4", "<f8", "<f2")
        from shape in Gen.Choose(0, 3).SelectMany(rank => Gen.ArrayOf(Gen.Choose(0, 5), rank))
        from fortran in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        from style in Gen.Choose(0, 2)
        let count = shape.Aggregate(1, (a, b) => a * b)
        from data in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), count * (descr == "<f2" ? 2 : descr == "<f4" ? 4 : 8))
        select Encode(version, descr, shape, fortran, style, data);

    /// <summary>A .npy file: magic, version, header length (2 bytes for 1.0, 4 after), the dict padded with spaces to 64 bytes, the data.</summary>
    private static byte[] Encode(int version, string descr, int[] shape, bool fortran, int style, byte[] data)
    {
        string tuple = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = style switch
        {
            0 => $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {tuple}, }}",
            1 => $"{{\"shape\": {tuple}, \"descr\": \"{descr}\", \"fortran_order\": {(fortran ? "True" : "False")}}}",
            _ => $"{{'fortran_order':{(fortran ? "True" : "False")},'shape':{tuple.Replace(", ", "L,")},'descr':'{descr}'}}",
        };
        int prefix = 6 + 2 + (version == 1 ? 2 : 4);
        int length = (prefix + dict.Length + 1 + 63) / 64 * 64 - prefix;
        var bytes = new List<byte>([0x93, .. "NUMPY"u8, (byte)version, 0]);
        var lengthBytes = new byte[version == 1 ? 2 : 4];
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(lengthBytes, (ushort)length);
        else BinaryPrimitives.WriteUInt32LittleEndian(lengthBytes, (uint)length);
        bytes.AddRange(lengthBytes);
        bytes.AddRange(Encoding.Latin1.GetBytes(dict.PadRight(length - 1) + "\n"));
        bytes.AddRange(data);
        return [.. bytes];
    }

    private bool ParsesAndRoundTripsOrFailsWithOurException(byte[] bytes)
    {
        string path = folder.File("case.npy");
        File.WriteAllBytes(path, bytes);
        NpyArray array;
        try
        {
            array = NpyFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            Assert.Contains(path, e.Message);
            return true;
        }
        string copy = folder.File("copy.npy");
        NpyFile.Write(copy, array);
        var again = NpyFile.Read(copy);
        Assert.Equal(array.Shape, again.Shape);
        Assert.True(array.Data.AsSpan().SequenceEqual(again.Data));
        return true;
    }

    [Fact]
    public void ValidFilesParseToTheirShapeAndValues() => Fuzzing.Check(ValidFile, bytes =>
    {
        string path = folder.File("valid.npy");
        File.WriteAllBytes(path, bytes);
        bool fortran = Encoding.Latin1.GetString(bytes).Contains("True", StringComparison.Ordinal);
        if (fortran) Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
        else
        {
            var array = NpyFile.Read(path);
            Assert.Equal(array.Shape.Aggregate(1, (a, b) => a * b), array.Data.Length);
        }
        return ParsesAndRoundTripsOrFailsWithOurException(bytes);
    }, cases: 1000);

    [Fact]
    public void MutatedFilesParseAndRoundTripOrRaiseInvalidDataException() =>
        Fuzzing.Check(Mutations.Of(ValidFile), ParsesAndRoundTripsOrFailsWithOurException);
}
