using Diffusion.Runtime.IO;

namespace Diffusion.Runtime.Tests.IO;

public class NpyFileErrorTests
{
    private const string GoodHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

    public static TheoryData<string, byte[], string> MalformedFiles => new()
    {
        { "bad magic", "PK\u0003\u0004 this is a zip file"u8.ToArray(), "magic" },
        { "empty file", [], "magic" },
        { "magic only", NpyBytes.Magic, "magic" },
        { "unknown version", Patch(NpyBytes.File(1, GoodHeader, NpyBytes.Float32(1, 2)), 6, 4), "version 4.0" },
        { "no header length", [.. NpyBytes.Magic, 1, 0, 0x40], "header length" },
        { "header beyond the end", NpyBytes.File(1, GoodHeader, [])[..40], "header is truncated" },
        { "header not a dict", NpyBytes.File(1, "'descr', '<f4'", NpyBytes.Float32(1, 2)), "malformed" },
        { "missing shape", NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': False}", NpyBytes.Float32(1, 2)), "'shape'" },
        { "unknown key", NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': True}", NpyBytes.Float32(1, 2)), "'extra'" },
        { "negative dimension", NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", NpyBytes.Float32(1, 2)), "malformed" },
        { "fortran order", NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", NpyBytes.Float32(1, 2)), "Fortran-order" },
        { "big-endian", NpyBytes.File(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", NpyBytes.Float32(1, 2)), "big-endian" },
        { "integer dtype", NpyBytes.File(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", NpyBytes.Float32(1, 2)), "dtype '<i4' is not supported" },
        { "byte dtype", NpyBytes.File(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", [1, 2]), "dtype '|u1' is not supported" },
        { "structured dtype", NpyBytes.File(1, "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", NpyBytes.Float32(1, 2)), "structured" },
        { "truncated data", NpyBytes.File(1, GoodHeader, NpyBytes.Float32(1, 2)[..7]), "truncated: shape (2,) of '<f4' needs 8 bytes but only 7" },
        { "truncated float64 data", NpyBytes.File(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", NpyBytes.Float32(1, 2)), "needs 16 bytes but only 8" },
        { "too many elements", NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", []), "more elements" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void MalformedFileGivesAClearErrorNamingTheFileAndTheProblem(string caseName, byte[] contents, string problem)
    {
        using var folder = new TempFolder();
        string path = folder.File(caseName.Replace(' ', '-') + ".npy");
        File.WriteAllBytes(path, contents);

        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));

        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void MissingFileIsReportedAsNotFound()
    {
        using var folder = new TempFolder();
        string path = folder.File("absent.npy");

        var error = Assert.Throws<FileNotFoundException>(() => NpyFile.Read(path));

        Assert.Contains(path, error.Message);
    }

    private static byte[] Patch(byte[] bytes, int index, byte value)
    {
        bytes[index] = value;
        return bytes;
    }
}
