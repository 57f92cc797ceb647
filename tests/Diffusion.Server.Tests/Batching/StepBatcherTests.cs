using System.Diagnostics;
using Diffusion.Runtime.Generation;
using Diffusion.Runtime.Samplers;
using Diffusion.Runtime.Schedules;
using Diffusion.Server.Batching;
using Diffusion.Server.Tests.Support;

namespace Diffusion.Server.Tests.Batching;

public class StepBatcherTests
{
    private static readonly GenerationOptions[] Mixed =
    [
        new() { Sampler = "ddim", Steps = 20, Count = 2, Seed = 1, BatchSize = 2 },
        new() { Sampler = "euler", Steps = 15, Count = 1, Seed = 2, BatchSize = 1 },
        new() { Sampler = "heun", Steps = 10, Count = 3, Seed = 3, BatchSize = 3 },
        new() { Sampler = "ddpm", Steps = 25, Count = 1, Seed = 4, BatchSize = 1 },
        new() { Sampler = "ddim", Steps = 12, Count = 2, Seed = 5, BatchSize = 2, Settings = new SamplerSettings { Eta = 1 } },
        new() { Sampler = "pc", Steps = 8, Count = 1, Seed = 6, BatchSize = 1 },
        new() { Sampler = "langevin", Steps = 3, Count = 1, Seed = 7, BatchSize = 1 },
        new() { Sampler = "euler", Steps = 30, Count = 2, Seed = 8, BatchSize = 2 },
        new() { Sampler = "restart", Steps = 9, Count = 2, Seed = 9, BatchSize = 2 }, // evaluates off its path
    ];

    // Starts every request, holds the model until all are attached (so a slow thread start cannot
    // keep a request out of the first ticks), then lets them run to the end.
    private static GeneratedSamples[] RunConcurrently(FakeModel model, StepBatcher batcher, IReadOnlyList<GenerationOptions> requests,
        CancellationToken cancellation = default)
    {
        model.Gate.Reset();
        var tasks = requests.Select(options => Task.Factory.StartNew(
            () => Generator.Generate(new BatchedModel(model, model, batcher), options, cancellation: cancellation),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Assert.True(SpinWait.SpinUntil(() => batcher.Active == requests.Count, TimeSpan.FromSeconds(10)), "the requests did not all start");
        model.Gate.Set();
        Task.WaitAll(tasks);
        return tasks.Select(t => t.Result).ToArray();
    }

    private static void AssertEqualsSolo(FakeModel model, GenerationOptions options, GeneratedSamples batched)
    {
        var solo = Generator.Generate(model, options);
        Assert.Equal(solo.Data.Length, batched.Data.Length);
        float worst = 0;
        for (int i = 0; i < solo.Data.Length; i++) worst = Math.Max(worst, Math.Abs(solo.Data[i] - batched.Data[i]));
        Assert.True(worst <= 1e-5f, $"{options.Sampler} {options.Steps} steps: max abs difference {worst} from the solo run");
        Assert.Equal(solo.ModelEvaluations, batched.ModelEvaluations);
    }

    [Fact]
    public void RequestsWithDifferentSamplersAndStepCountsShareModelCallsAndEachEqualsItsSoloRun()
    {
        var model = new FakeModel(delay: TimeSpan.FromMilliseconds(3));
        // A long straggler wait: a loaded machine may hold a request's thread between two steps for longer
        // than the adaptive few milliseconds, and this test is about sharing, not about that trade-off.
        using var batcher = new StepBatcher(model, model.SampleShape.Size, 64, "test", stragglerWait: TimeSpan.FromSeconds(1));

        var results = RunConcurrently(model, batcher, Mixed);

        for (int i = 0; i < Mixed.Length; i++) AssertEqualsSolo(model, Mixed[i], results[i]);
        var calls = model.Calls;
        int evaluations = results.Sum(r => r.ModelEvaluations);
        Assert.True(calls.Count <= evaluations / 2, $"{calls.Count} model calls for {evaluations} request evaluations: the requests did not share calls");
        Assert.Contains(calls, c => c.DistinctPoints >= 3); // requests at different steps in one call
        Assert.Equal(results.Sum(r => r.ModelEvaluations * r.Count), calls.Sum(c => c.Rows));
    }

    [Fact]
    public void GuidedRowsJoinTheBatchOfUnguidedRequestsAndStillEqualTheirSoloRuns()
    {
        var model = new FakeModel(classes: 10, delay: TimeSpan.FromMilliseconds(4));
        using var batcher = new StepBatcher(model, model.SampleShape.Size, 64, "test", stragglerWait: TimeSpan.FromSeconds(1)); // see above
        GenerationOptions[] requests =
        [
            new() { Sampler = "ddim", Steps = 20, Count = 2, Seed = 1, BatchSize = 2, ClassLabels = [3, 7], GuidanceScale = 3 },
            new() { Sampler = "euler", Steps = 20, Count = 1, Seed = 2, BatchSize = 1, ClassLabels = [5] },
            new() { Sampler = "ddim", Steps = 20, Count = 1, Seed = 3, BatchSize = 1 },
        ];

        var results = RunConcurrently(model, batcher, requests);

        for (int i = 0; i < requests.Length; i++) AssertEqualsSolo(model, requests[i], results[i]);
        // One call held the guided pair (labels 3, 7 and the null label 10 twice), label 5 and an unconditional row.
        Assert.Contains(model.Calls, c => c.Rows == 6 && c.Labels.Count(l => l == 10) == 3 && c.Labels.Contains(3) && c.Labels.Contains(5));
    }

    [Fact]
    public void ARequestLargerThanTheBatchBoundIsSplitAcrossTicksAndNoCallExceedsTheBound()
    {
        var model = new FakeModel();
        using var batcher = new StepBatcher(model, model.SampleShape.Size, 4, "test");
        GenerationOptions[] requests =
        [
            new() { Sampler = "ddim", Steps = 6, Count = 10, Seed = 1, BatchSize = 10 },
            new() { Sampler = "heun", Steps = 5, Count = 3, Seed = 2, BatchSize = 3 },
        ];

        var results = RunConcurrently(model, batcher, requests);

        for (int i = 0; i < requests.Length; i++) AssertEqualsSolo(model, requests[i], results[i]);
        Assert.All(model.Calls, c => Assert.InRange(c.Rows, 1, 4));
    }

    [Fact]
    public async Task ACancelledRequestLeavesAtOnceAndItsRowsStopBeingEvaluated()
    {
        var model = new FakeModel(delay: TimeSpan.FromMilliseconds(20));
        using var batcher = new StepBatcher(model, model.SampleShape.Size, 64, "test");
        using var cancel = new CancellationTokenSource();
        var doomed = Task.Factory.StartNew(() => Generator.Generate(new BatchedModel(model, model, batcher),
                new GenerationOptions { Sampler = "ddim", Steps = 1000, Count = 3, BatchSize = 3 }, cancellation: cancel.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var survivor = Task.Factory.StartNew(() => Generator.Generate(new BatchedModel(model, model, batcher),
                new GenerationOptions { Sampler = "ddim", Steps = 60, Count = 1, BatchSize = 1, Seed = 9 }),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        SpinWait.SpinUntil(() => model.CallCount >= 5, TimeSpan.FromSeconds(5));

        var clock = Stopwatch.StartNew();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed);
        // Its 1,000 steps would take at least 20 s; a generous bound keeps a loaded machine from failing this.
        Assert.True(clock.ElapsedMilliseconds < 5000, $"the cancelled request took {clock.ElapsedMilliseconds} ms to leave");
        int callsAtCancel = model.CallCount;

        var result = await survivor;
        AssertEqualsSolo(model, new GenerationOptions { Sampler = "ddim", Steps = 60, Count = 1, BatchSize = 1, Seed = 9 }, result);
        // After the call running at the cancel, no call carries the cancelled request's three rows.
        Assert.All(model.Calls.Skip(callsAtCancel + 1), c => Assert.Equal(1, c.Rows));
        Assert.Equal(0, batcher.Active);
        Assert.Equal(0, batcher.PendingRows);
    }

    [Fact]
    public async Task DisposingTheBatcherDrainsTheRequestsInFlight()
    {
        var model = new FakeModel(delay: TimeSpan.FromMilliseconds(2));
        var batcher = new StepBatcher(model, model.SampleShape.Size, 64, "test");
        var options = new GenerationOptions { Sampler = "euler", Steps = 40, Count = 2, BatchSize = 2, Seed = 3 };
        var running = Task.Factory.StartNew(() => Generator.Generate(new BatchedModel(model, model, batcher), options),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        SpinWait.SpinUntil(() => model.CallCount >= 3, TimeSpan.FromSeconds(5));

        int callsBefore = model.CallCount;
        batcher.Dispose(); // returns once the request in flight has had its last evaluation

        Assert.Equal(40, model.CallCount); // every step ran, none was cut short
        Assert.True(callsBefore < 40);
        AssertEqualsSolo(model, options, await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Throws<ObjectDisposedException>(() => batcher.Attach());
    }

    [Fact]
    public void TicksTakeSubmissionsFirstComeFirstServedUpToTheBoundSplittingOnlyAnOversizedHead()
    {
        // The loop is held in its first call (submission 0) while 1..5 queue in a known order:
        // one row each, except 3, which has three rows, more than the bound of 2. No submission is
        // overtaken, so none starves.
        var model = new FakeModel();
        using var batcher = new StepBatcher(model, model.SampleShape.Size, 2, "test");
        model.Gate.Reset();
        int[] rows = [1, 1, 1, 3, 1, 1];
        var threads = new List<Thread>();
        int queued = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            var submission = new Submission(rows[i], model.SampleShape.Size, null) { Point = new TimePoint(i + 1, 0.9, 0.4) };
            var thread = new Thread(() => batcher.Evaluate(submission, CancellationToken.None));
            thread.Start();
            threads.Add(thread);
            if (i == 0) Assert.True(SpinWait.SpinUntil(() => model.Entered == 1, TimeSpan.FromSeconds(10)));
            else
            {
                queued += rows[i];
                Assert.True(SpinWait.SpinUntil(() => batcher.PendingRows == queued, TimeSpan.FromSeconds(10)));
            }
        }
        model.Gate.Set();
        foreach (var thread in threads) thread.Join();

        // Calls by submission (time i + 1 is submission i): [0], [1, 2], then the oversized head split
        // into a full call and its rest, which shares the next call with 4 as any submission would.
        var calls = model.Calls.Select(c => c.Points.Select(p => (int)p.Time - 1).ToArray()).ToList();
        Assert.Equal([[0], [1, 2], [3, 3], [3, 4], [5]], calls);
    }
}
