using System.Diagnostics;
using System.Globalization;
using Diffusion.Torch;
using Diffusion.Torch.Bench;

// Usage: Diffusion.Torch.Bench [steps=20] [warmup=3] [threads=2] [memorySteps=0] [memoryBatch=32] [heap=keep]
// Prints images/s of the UNet training step (batch 32, like unet_bench.cpp), then, when memorySteps > 0,
// the resident memory after 100 and after memorySteps steps of the same step at memoryBatch.
// heap: keep (torch.keep_freed_memory(), as diffusion-train does) or default (glibc's own settings).
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
int steps = Arg(0, 20), warmup = Arg(1, 3), threads = Arg(2, 2), memorySteps = Arg(3, 0), memoryBatch = Arg(4, 32);
string heap = args.Length > 5 ? args[5] : "keep";
if (heap is not ("keep" or "default")) throw new ArgumentException($"heap must be keep or default, got '{heap}'");
if (heap == "keep") torch.keep_freed_memory();

torch.set_num_threads(threads);
torch.manual_seed(0);

if (steps > 0)
{
    using var step = new UNetTrainingStep(batch: 32);
    for (int i = 0; i < warmup; i++) step.Run();
    step.ResetPhases();
    var clock = Stopwatch.StartNew();
    double loss = 0;
    for (int i = 0; i < steps; i++) loss = step.Run();
    double seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"csharp  heap={heap} params={step.ParameterCount} threads={threads} steps={steps} loss={loss:F4} images/s={steps * 32 / seconds:F2} rss_mb={ResidentMemory.Megabytes():F1} per-step s: forward={step.Phases.Forward / steps:F3} backward={step.Phases.Backward / steps:F3} optimizer={step.Phases.Optimizer / steps:F3}"));
}

if (memorySteps > 0)
{
    using var step = new UNetTrainingStep(memoryBatch);
    double at100 = 0;
    for (int i = 1; i <= memorySteps; i++)
    {
        step.Run();
        if (i == Math.Min(100, memorySteps)) at100 = ResidentMemory.Megabytes();
        if (i % 100 == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {i}: rss_mb={ResidentMemory.Megabytes():F1} live_tensors={torch.LiveTensorCount}"));
    }
    double atEnd = ResidentMemory.Megabytes();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"memory  heap={heap} batch={memoryBatch} rss_mb@100={at100:F1} rss_mb@{memorySteps}={atEnd:F1} growth%={(atEnd - at100) / at100 * 100:F2} live_tensors={torch.LiveTensorCount} leaked={torch.LeakedTensorCount}"));
}
