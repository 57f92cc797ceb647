using System.Diagnostics;

namespace Diffusion.Training.Tests.Trainer;

/// <summary>Runs the <c>diffusion-train</c> command (built beside the tests) as a child process.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder stdout = new(), stderr = new();

    private CliProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "diffusion-train.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Out { get { lock (stdout) return stdout.ToString(); } }

    public string Error { get { lock (stderr) return stderr.ToString(); } }

    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>Runs to the end; returns the exit code, standard output and standard error.</summary>
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        using var cli = new CliProcess(args);
        return (cli.WaitForExit(), cli.Out, cli.Error);
    }

    /// <summary>Waits for the exit; the timeout only guards against a hang (a loaded machine took over 120 s for the classifier's run).</summary>
    public int WaitForExit(int timeoutSeconds = 600)
    {
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"diffusion-train did not finish within {timeoutSeconds} s; stderr: {Error}");
        }
        process.WaitForExit(); // drains the redirected streams
        return process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a service manager stopping the job would.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
