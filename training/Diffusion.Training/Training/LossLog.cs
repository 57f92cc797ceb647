using System.Globalization;

namespace Diffusion.Training.Training;

/// <summary>
/// The loss curve of a run as CSV (<c>step,loss,learning_rate,samples_per_second</c>), one row per
/// log interval. A resumed run first drops the rows after its checkpoint, so the file describes the
/// run that the checkpoints continue.
/// </summary>
internal sealed class LossLog(string path)
{
    private const string Header = "step,loss,learning_rate,samples_per_second";

    /// <summary>Starts the file afresh, or keeps only the rows up to step <paramref name="resumedAt"/> when resuming.</summary>
    public void Open(long? resumedAt)
    {
        var kept = new List<string> { Header };
        if (resumedAt is { } step && File.Exists(path))
        {
            kept.AddRange(File.ReadLines(path).Skip(1).Where(line =>
                long.TryParse(line.Split(',')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) && s <= step));
        }
        File.WriteAllLines(path, kept);
    }

    /// <summary>Appends one row.</summary>
    public void Append(long step, double loss, double learningRate, double samplesPerSecond) =>
        File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture, $"{step},{loss:R},{learningRate:R},{samplesPerSecond:F1}\n"));
}
