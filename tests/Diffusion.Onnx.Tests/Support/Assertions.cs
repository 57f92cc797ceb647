namespace Diffusion.Onnx.Tests.Support;

internal static class Assertions
{
    /// <summary>
    /// Asserts max_i |actual_i - expected_i| &lt;= tolerance * max(max_i |expected_i|, floor):
    /// an error relative to the size of the whole vector, so small components are not held to
    /// a tighter standard than float arithmetic allows.
    /// </summary>
    public static void CloseRelative(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string context, double floor = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = floor;
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        var worst = 0.0;
        var worstIndex = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(actual[i] - expected[i]);
            if (double.IsNaN(error) || error > worst) { worst = error; worstIndex = i; }
        }
        if (!(worst <= tolerance * scale))
            Assert.Fail($"{context}: element {worstIndex} is {actual[worstIndex]:R}, expected {expected[worstIndex]:R} " +
            $"(error {worst:E2} > {tolerance:E1} x scale {scale:E3})");
    }
}
