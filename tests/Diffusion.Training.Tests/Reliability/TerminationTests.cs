using Diffusion.Runtime.IO;
using Diffusion.Training.Tests.Trainer;
using Diffusion.Training.Training;

namespace Diffusion.Training.Tests.Reliability;

/// <summary>SIGTERM at random moments of a run that writes a checkpoint every step: nothing half-written stays behind.</summary>
public class TerminationTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void SigtermAtRandomMomentsLeavesNoTemporaryFileAndAResumableCheckpoint()
    {
        using var folder = new TempFolder();
        string run = folder.File("run");
        var random = new Random(7);
        for (int round = 0; round < 6; round++)
        {
            string[] args = round == 0
                ? ["train", "-d", "ring", "--steps", "1000000", "--hidden", "8", "--batch", "8", "--preview-every", "0", "--checkpoint-every", "1", "--out", run]
                : ["train", "--resume", "--steps", "1000000", "--out", run];
            using var trainer = CliProcess.Start(args);
            string lockFile = Path.Combine(run, TrainingFolderLock.LockFileName);
            for (int i = 0; i < 600 && TrainingFolderLock.ReadOwner(lockFile)?.Pid != trainer.Id; i++) Thread.Sleep(50);
            Thread.Sleep(random.Next(200, 2500)); // lands before, during or between checkpoint writes

            trainer.Terminate();

            Assert.Equal(130, trainer.WaitForExit());
            var leftovers = Directory.GetFiles(run).Select(Path.GetFileName).Where(f => AtomicFile.IsTemporaryFileName(f!)).ToList();
            Assert.True(leftovers.Count == 0, $"round {round}: {string.Join(", ", leftovers)} left behind; stderr: {trainer.Error}");
            Assert.True(File.Exists(Path.Combine(run, "checkpoint.safetensors")), $"round {round}: no checkpoint; stderr: {trainer.Error}");
        }
    }
}
