using System.Buffers.Binary;
using System.Text;
using Diffusion.Runtime.IO;

namespace Diffusion.Runtime.Tests.IO;

public class NpyFileTests
{
    public static TheoryData<int[]> Shapes => new()
    {
        new[] { 7 },
        new[] { 2, 3 },
        new[] { 2, 3, 4 },
        new[] { 2, 1, 3, 5 },
        new[] { 0 },
        new[] { 4, 0, 3 },
        Array.Empty<int>(),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WriteThenReadRoundTripsValuesAndShape(int[] shape)
    {
        using var folder = new TempFolder();
        string path = folder.File("array.npy");
        int count = shape.Aggregate(1, (a, b) => a * b);
        var random = new Random(count);
        float[] data = [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 20 - 10))];

        NpyFile.Write(path, data, shape);
        NpyArray read = NpyFile.Read(path);

        Assert.Equal(shape, read.Shape);
        Assert.Equal(data, read.Data);
        Assert.Equal(["array.npy"], folder.Entries());
    }

    [Fact]
    public void RoundTripKeepsSpecialFloatValuesBitForBit()
    {
        using var folder = new TempFolder();
        string path = folder.File("special.npy");
        float[] data = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue];

        NpyFile.Write(path, new NpyArray(data, [data.Length]));

        float[] read = NpyFile.Read(path).Data;
        Assert.Equal(data.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void WrittenFileHasAnAlignedVersion1HeaderDescribingLittleEndianFloat32InCOrder()
    {
        using var folder = new TempFolder();
        string path = folder.File("layout.npy");

        NpyFile.Write(path, [1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(NpyBytes.Magic, file[..6]);
        Assert.Equal(new byte[] { 1, 0 }, file[6..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.Latin1.GetString(file, 10, headerLength);
        Assert.EndsWith("\n", header);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.TrimEnd());
        Assert.Equal(10 + headerLength + 24, file.Length);
        Assert.Equal(6f, BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(10 + headerLength + 20)));
    }

    [Fact]
    public void HeaderTooLongForVersion1IsWrittenAsVersion2()
    {
        using var folder = new TempFolder();
        string path = folder.File("deep.npy");
        int[] shape = [.. Enumerable.Repeat(1, 25_000)];

        NpyFile.Write(path, [42f], shape);

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(2, file[6]);
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        Assert.True(headerLength > ushort.MaxValue);
        Assert.Equal(0u, (12 + headerLength) % 64);
        NpyArray read = NpyFile.Read(path);
        Assert.Equal(shape, read.Shape);
        Assert.Equal([42f], read.Data);
    }

    [Fact]
    public void ReadsHandMadeVersion1Float32()
    {
        using var folder = new TempFolder();
        string path = folder.File("v1.npy");
        File.WriteAllBytes(path, NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", NpyBytes.Float32(1, 2, 3, 4, 5, -6.5f)));

        NpyArray read = NpyFile.Read(path);

        Assert.Equal([3, 2], read.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, -6.5f], read.Data);
    }

    [Fact]
    public void ReadsHandMadeVersion2WithKeysInAnyOrderAndDoubleQuotes()
    {
        using var folder = new TempFolder();
        string path = folder.File("v2.npy");
        File.WriteAllBytes(path, NpyBytes.File(2, "{\"shape\": (4,), \"fortran_order\": False, \"descr\": \"<f4\"}", NpyBytes.Float32(0.5f, 1.5f, 2.5f, 3.5f)));

        NpyArray read = NpyFile.Read(path);

        Assert.Equal([4], read.Shape);
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f], read.Data);
    }

    [Fact]
    public void ReadsHandMadeVersion3()
    {
        using var folder = new TempFolder();
        string path = folder.File("v3.npy");
        File.WriteAllBytes(path, NpyBytes.File(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", NpyBytes.Float32(9f)));

        NpyArray read = NpyFile.Read(path);

        Assert.Equal([1, 1], read.Shape);
        Assert.Equal([9f], read.Data);
    }

    [Fact]
    public void ReadsFloat64ConvertedToFloat32()
    {
        using var folder = new TempFolder();
        string path = folder.File("f8.npy");
        double[] values = [Math.PI, -1e-3, 12345.678, 1e300];
        File.WriteAllBytes(path, NpyBytes.File(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", NpyBytes.Float64(values)));

        NpyArray read = NpyFile.Read(path);

        Assert.Equal([2, 2], read.Shape);
        Assert.Equal(values.Select(v => (float)v), read.Data);
        Assert.Equal(float.PositiveInfinity, read.Data[3]);
    }

    [Fact]
    public void ReadsFloat16ConvertedToFloat32()
    {
        using var folder = new TempFolder();
        string path = folder.File("f2.npy");
        float[] values = [0.5f, -2f, 0.099975586f, 65504f, 6.1035156e-05f];
        File.WriteAllBytes(path, NpyBytes.File(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (5,), }", NpyBytes.Float16(values)));

        NpyArray read = NpyFile.Read(path);

        Assert.Equal([5], read.Shape);
        Assert.Equal(values, read.Data);
    }

    [Fact]
    public void ReadsPython2StyleLongDimensionsAndUnpaddedHeaders()
    {
        using var folder = new TempFolder();
        string path = folder.File("py2.npy");
        byte[] header = Encoding.Latin1.GetBytes("{'descr':'<f4','fortran_order':False,'shape':(2L, 1L)}\n");
        byte[] file = [.. NpyBytes.Magic, 1, 0, (byte)header.Length, 0, .. header, .. NpyBytes.Float32(3f, 4f)];
        File.WriteAllBytes(path, file);

        NpyArray read = NpyFile.Read(path);

        Assert.Equal([2, 1], read.Shape);
        Assert.Equal([3f, 4f], read.Data);
    }

    [Fact]
    public void WriteRejectsAShapeThatDoesNotMatchTheData()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<ArgumentException>(() => NpyFile.Write(folder.File("x.npy"), [1f, 2f, 3f], [2, 2]));

        Assert.Contains("(2, 2)", error.Message);
        Assert.Contains("3", error.Message);
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void WriteRejectsANegativeDimension()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<ArgumentException>(() => NpyFile.Write(folder.File("x.npy"), [], [-1, 0]));

        Assert.Contains("negative", error.Message);
    }

    [Fact]
    public void WriteToAMissingFolderNamesThePath()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "missing", "x.npy");

        var error = Assert.Throws<IOException>(() => NpyFile.Write(path, [1f], [1]));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void ArrayRejectsAShapeThatDoesNotMatchItsData()
    {
        var error = Assert.Throws<ArgumentException>(() => new NpyArray([1f, 2f], [3]));

        Assert.Contains("(3,)", error.Message);
    }
}
