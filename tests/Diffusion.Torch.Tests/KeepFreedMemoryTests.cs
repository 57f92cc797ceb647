using System.Globalization;

namespace Diffusion.Torch.Tests;

// Sets libtorch's thread count for a while: runs alone, with the other process-wide tests.
[Collection(nameof(LiveTensorCounting))]
public class KeepFreedMemoryTests
{
    [Fact]
    public void MemoryATrainingStepFreesIsReusedWithoutFaultingItInAgain()
    {
        // This machine's C library is glibc, where the setting applies.
        Assert.True(torch.keep_freed_memory());

        // A training step's pattern: activations of a megabyte or more, 60 MB of them, all freed at the end of
        // the step, then again. With glibc's defaults the first round's blocks are mappings of their own, the
        // next rounds' come from the heap, and the heap's freed top goes back to the kernel at the end of each
        // round: every round faults its 15,360 pages in anew. One libtorch thread, so that this thread writes
        // every tensor and takes every page fault.
        const int Count = 40, Length = 384 * 1024;
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            void Round()
            {
                using var scope = torch.NewDisposeScope();
                for (int i = 0; i < Count; i++) torch.zeros(Length);
            }

            Round();
            Round();
            long before = ThisThreadsMinorFaults();
            const int Rounds = 4;
            for (int i = 0; i < Rounds; i++) Round();
            long faults = ThisThreadsMinorFaults() - before;

            long pagesPerRound = (long)Count * Length * sizeof(float) / Environment.SystemPageSize;
            // Measured: 59,532 faults in the four rounds with glibc's defaults, 768-2,695 when freed memory is kept.
            Assert.True(faults < pagesPerRound,
                $"{faults} page faults in {Rounds} rounds of {pagesPerRound} pages: the freed memory went back to the kernel");
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    // Field 10 of /proc/thread-self/stat (proc(5)): minor faults of this thread alone.
    private static long ThisThreadsMinorFaults()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(afterName[10 - 3], CultureInfo.InvariantCulture);
    }
}
