using FsCheck;
using FsCheck.Fluent;

namespace Diffusion.Training.Data.Tests.Fuzz;

/// <summary>Byte-level mutations of a valid file: the inputs a truncated download, a bit flip or a hostile writer produce.</summary>
internal static class Mutations
{
    /// <summary>A file's bytes: the valid bytes, or them mutated one to three times.</summary>
    public static Gen<byte[]> Of(Gen<byte[]> valid) =>
        from bytes in valid
        from count in Gen.Frequency((2, Gen.Constant(0)), (5, Gen.Choose(1, 3)))
        from result in Apply(bytes, count)
        select result;

    private static Gen<byte[]> Apply(byte[] bytes, int count) =>
        count == 0 ? Gen.Constant(bytes) : from once in Once(bytes) from rest in Apply(once, count - 1) select rest;

    private static Gen<byte[]> Once(byte[] bytes)
    {
        int n = bytes.Length;
        var anyByte = Gen.Choose(0, 255).Select(b => (byte)b);
        var position = Gen.Choose(0, Math.Max(0, n - 1));
        // Bytes that matter to the parsers: digits, quotes, brackets, signs, separators, high bytes.
        var special = Gen.Elements("0123456789-+.eE'\"{}[](),: \n\\\0\u00ffLTFNrue".Select(c => (byte)c).ToArray());
        return Gen.OneOf(
            from i in position from b in anyByte select With(bytes, i, b),
            from i in position from b in special select With(bytes, i, b),
            from i in position from bit in Gen.Choose(0, 7) select With(bytes, i, n == 0 ? (byte)0 : (byte)(bytes[i] ^ (1 << bit))),
            from length in Gen.Choose(0, n) select bytes[..length],
            from i in Gen.Choose(0, n) from extra in Gen.ArrayOf(anyByte, 8) select (byte[])[.. bytes[..i], .. extra, .. bytes[i..]],
            from i in position from length in Gen.Choose(1, 16) select (byte[])[.. bytes[..i], .. bytes[Math.Min(n, i + length)..]],
            from i in Gen.Choose(0, Math.Max(0, n - 8))
            from value in Gen.Elements<ulong>(0UL, 1UL, 7UL, 255UL, 65_535UL, 100_000_000UL, 100_000_001UL, (ulong)long.MaxValue, ulong.MaxValue)
            select WithUInt64(bytes, i, value));
    }

    private static byte[] With(byte[] bytes, int index, byte value)
    {
        if (bytes.Length == 0) return [value];
        var copy = (byte[])bytes.Clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] WithUInt64(byte[] bytes, int index, ulong value)
    {
        var copy = (byte[])bytes.Clone();
        if (copy.Length >= index + 8) BitConverter.TryWriteBytes(copy.AsSpan(index, 8), value);
        return copy;
    }
}

/// <summary>Runs a property over many generated cases in a scratch folder, failing with the counter-example.</summary>
internal static class Fuzzing
{
    public const int Cases = 3000;

    public static void Check<T>(Gen<T> gen, Func<T, bool> property, int cases = Cases) =>
        Prop.ForAll(Arb.From(gen), property).Check(Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true));
}
