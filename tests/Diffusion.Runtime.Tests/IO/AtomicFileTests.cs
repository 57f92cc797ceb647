using System.Text;
using Diffusion.Runtime.IO;

namespace Diffusion.Runtime.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void WriteCreatesTheFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("out.bin");

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], folder.Entries());
    }

    [Fact]
    public void WriteReplacesAnExistingFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("out.txt");
        File.WriteAllText(path, "old contents that are longer");

        AtomicFile.Write(path, stream => stream.Write("new"u8));

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["out.txt"], folder.Entries());
    }

    [Fact]
    public void WriterThatThrowsKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.ckpt");
        File.WriteAllText(path, "old");

        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes("half-written"));
            throw new InvalidOperationException("writer failed");
        }));

        Assert.Equal("writer failed", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["model.ckpt"], folder.Entries());
    }

    [Fact]
    public void DisposingWithoutCommitCreatesNothing()
    {
        using var folder = new TempFolder();
        string path = folder.File("never.bin");

        using (var file = AtomicFile.Create(path))
        {
            file.Stream.Write([9, 9, 9]);
            Assert.Single(folder.Entries());
        }

        Assert.False(File.Exists(path));
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void MissingFolderGivesAnErrorNamingThePath()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "no-such-folder", "out.png");

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(path, [1]));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void FileInPlaceOfTheFolderGivesAnErrorNamingThePath()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("plain-file"), "x");
        string path = Path.Combine(folder.Path, "plain-file", "out.png");

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(path, [1]));

        Assert.Contains(path, error.Message);
        Assert.Equal(["plain-file"], folder.Entries());
    }

    [Fact]
    public void FolderAtTheTargetPathGivesAnErrorNamingThePath()
    {
        using var folder = new TempFolder();
        string path = folder.File("taken");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(path, [1]));

        Assert.Contains(path, error.Message);
        Assert.Contains("folder", error.Message);
        Assert.Equal(["taken"], folder.Entries());
    }

    [Fact]
    public void CommittingTwiceIsRefused()
    {
        using var folder = new TempFolder();
        using var file = AtomicFile.Create(folder.File("once.bin"));
        file.Commit();

        Assert.Throws<InvalidOperationException>(file.Commit);
        Assert.Equal(["once.bin"], folder.Entries());
    }
}
