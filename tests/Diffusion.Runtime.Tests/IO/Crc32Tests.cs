using System.Text;
using Diffusion.Runtime.IO;

namespace Diffusion.Runtime.Tests.IO;

public class Crc32Tests
{
    [Fact]
    public void MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void AgreesWithABitwiseImplementationOnRandomData()
    {
        var random = new Random(7);
        foreach (int length in new[] { 1, 2, 3, 17, 256, 4099 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(PngDecoder.BitwiseCrc32(data), Crc32.Compute(data));
        }
    }

    [Fact]
    public void AppendContinuesAChecksumAcrossPieces()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        uint whole = Crc32.Compute(data);
        uint pieces = Crc32.Append(Crc32.Append(Crc32.Compute(data.AsSpan(0, 123)), data.AsSpan(123, 500)), data.AsSpan(623));
        Assert.Equal(whole, pieces);
    }
}
