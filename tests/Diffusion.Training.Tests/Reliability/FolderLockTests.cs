using Diffusion.Training.Tests.Export.Support;
using Diffusion.Training.Tests.Trainer;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Reliability;

/// <summary>One run per output folder, checked with real diffusion-train processes.</summary>
public class FolderLockTests
{
    private static string[] LongRun(string folder) =>
        ["train", "-d", "ring", "--steps", "1000000", "--hidden", "8", "--batch", "8", "--preview-every", "0", "--checkpoint-every", "1000000", "--out", folder];

    private static void WaitForLock(string folder, CliProcess owner)
    {
        string lockFile = Path.Combine(folder, TrainingFolderLock.LockFileName);
        for (int i = 0; i < 600 && TrainingFolderLock.ReadOwner(lockFile)?.Pid != owner.Id; i++) Thread.Sleep(100);
        Assert.True(TrainingFolderLock.ReadOwner(lockFile)?.Pid == owner.Id, $"the first run never wrote its lock file; stderr: {owner.Error}");
    }

    [Fact]
    public void ASecondRunOnALockedFolderFailsAtOnceNamingTheOwnerAndTheOwnerIsUnharmed()
    {
        using var folder = new TempFolder();
        string run = folder.File("run");
        using var owner = CliProcess.Start(LongRun(run));
        WaitForLock(run, owner);

        var second = CliProcess.Run("train", "-d", "ring", "--steps", "10", "--out", run);
        CliTests.AssertOneLineError(second, $"in use by another training run (PID {owner.Id}");
        var resumed = CliProcess.Run("train", "--resume", "--out", run);
        CliTests.AssertOneLineError(resumed, $"PID {owner.Id}");
        Assert.Empty(Directory.GetFiles(run, "checkpoint.safetensors"));

        // SIGTERM: the owner saves its checkpoint and releases the folder, lock file included.
        owner.Terminate();
        Assert.Equal(130, owner.WaitForExit());
        Assert.False(File.Exists(Path.Combine(run, TrainingFolderLock.LockFileName)));
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.safetensors")));
    }

    [Fact]
    public void TheStaleLockOfAKilledRunIsTakenOverWithAMessage()
    {
        using var folder = new TempFolder();
        string run = folder.File("run");
        int killed;
        using (var owner = CliProcess.Start(LongRun(run)))
        {
            WaitForLock(run, owner);
            killed = owner.Id;
        } // disposing kills it (SIGKILL): nothing is cleaned up
        Assert.Equal(killed, TrainingFolderLock.ReadOwner(Path.Combine(run, TrainingFolderLock.LockFileName))?.Pid);

        var next = CliProcess.Run("train", "-d", "ring", "--steps", "4", "--hidden", "8", "--batch", "8", "--preview-every", "0", "--out", run);
        Assert.True(next.Code == 0, next.Error);
        Assert.Contains($"taking over the stale lock of '{run}': its run (PID {killed}", next.Error);
        Assert.False(File.Exists(Path.Combine(run, TrainingFolderLock.LockFileName)));
    }

    [Fact]
    public void InOneProcessTheSecondClaimIsRefusedAndTheFirstReleaseFreesTheFolder()
    {
        using var folder = new TempFolder();
        using (var first = TrainingFolderLock.Acquire(folder.Path))
        {
            var e = Assert.Throws<Runtime.DiffusionException>(() => TrainingFolderLock.Acquire(folder.Path));
            Assert.Contains($"PID {Environment.ProcessId}", e.Message);
        }
        var messages = new List<string>();
        using (TrainingFolderLock.Acquire(folder.Path, messages.Add)) Assert.Empty(messages);
    }
}
