using Microsoft.ML.OnnxRuntime;

namespace Diffusion.Runtime.Tests;

public class OnnxRuntimeLoadsTests
{
    [Fact]
    public void NativeLibraryLoadsAndReportsCpuProvider()
    {
        var providers = OrtEnv.Instance().GetAvailableProviders();
        Assert.Contains("CPUExecutionProvider", providers);
    }
}
