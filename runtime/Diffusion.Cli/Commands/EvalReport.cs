using System.Globalization;
using System.Text.Json;
using Diffusion.Runtime;

namespace Diffusion.Cli.Commands;

/// <summary>
/// Writes an evaluation sweep as an aligned text table, a Markdown table (for docs) or JSON. The
/// columns are those the rows have: the distance always, the floor, class accuracy and
/// within-3-std fraction when the reference gives them.
/// </summary>
internal sealed class EvalReport(EvalReport.Setup setup, IReadOnlyList<EvalRow> rows, IReadOnlyList<string> notes)
{
    /// <summary>What every row shares: the model, the reference and metric, the samples per row, the seed, the class
    /// labels cycled (null: unconditional), and the generation options given on the command line (e.g. spacing = karras).</summary>
    public sealed record Setup(string Model, string Reference, string Metric, int Count, ulong Seed, IReadOnlyList<int>? ClassLabels,
        IReadOnlyList<KeyValuePair<string, string>> Settings)
    {
        public override string ToString() =>
            $"{Path.GetFileName(Model)}: {Count} samples per row, seed {Seed}, reference {Reference}{(ClassLabels is { } k ? $", {(k.Count == 1 ? "class" : "classes cycled")} {string.Join(",", k)}" : "")}" +
            string.Concat(Settings.Select(s => $", --{s.Key} {s.Value}"));
    }

    /// <summary>The format names <c>--format</c> takes.</summary>
    public static readonly string[] Formats = ["table", "markdown", "json"];

    private sealed record Column(string Header, string Key, Func<EvalRow, double?> Value, string Format);

    /// <summary>Checks a <c>--format</c> value before any work is done.</summary>
    public static string ParseFormat(string format) =>
        Formats.FirstOrDefault(f => string.Equals(f, format, StringComparison.OrdinalIgnoreCase))
        ?? throw new DiffusionException($"unknown format '{format}': use {string.Join(", ", Formats)}.");

    /// <summary>Writes the report in <paramref name="format"/> (one of <see cref="Formats"/>).</summary>
    public void Write(TextWriter output, string format)
    {
        var columns = Columns();
        if (format == "json")
        {
            WriteJson(output, columns);
            return;
        }
        string[] headers = ["sampler", "steps", "NFE", .. columns.Select(c => c.Header)];
        var cells = rows.Select(r => (string[])[r.Sampler, Text(r.Steps), Text(r.ModelEvaluations),
            .. columns.Select(c => c.Value(r) is { } v ? v.ToString(c.Format, CultureInfo.InvariantCulture) : "")]).ToList();
        output.WriteLine(setup);
        output.WriteLine();
        if (format == "markdown") WriteMarkdown(output, headers, cells);
        else WriteAligned(output, headers, cells);
        if (notes.Count > 0) output.WriteLine();
        foreach (var note in notes) output.WriteLine($"note: {note}");
    }

    private List<Column> Columns()
    {
        string metric = setup.Metric;
        var columns = new List<Column> { new(metric == "fd" ? "FD" : metric.ToUpperInvariant(), metric, r => r.Score.Distance, "G4") };
        if (rows.Any(r => r.Score.Floor is not null)) columns.Add(new("floor", "floor", r => r.Score.Floor, "G4"));
        if (rows.Any(r => r.Score.ClassAccuracy is not null)) columns.Add(new("class acc", "class_accuracy", r => r.Score.ClassAccuracy, "F3"));
        if (rows.Any(r => r.Score.WithinThreeStd is not null)) columns.Add(new("within 3 std", "within_3_std", r => r.Score.WithinThreeStd, "F3"));
        columns.Add(new("s/image", "seconds_per_image", r => r.SecondsPerImage, "G3"));
        return columns;
    }

    private static void WriteAligned(TextWriter output, string[] headers, List<string[]> cells)
    {
        var widths = headers.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] values) => string.Join("  ", values.Select((v, i) => i == 0 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))).TrimEnd();
        output.WriteLine(Line(headers));
        foreach (var row in cells) output.WriteLine(Line(row));
    }

    private static void WriteMarkdown(TextWriter output, string[] headers, List<string[]> cells)
    {
        output.WriteLine($"| {string.Join(" | ", headers)} |");
        output.WriteLine($"|{string.Join("|", headers.Select((_, i) => i == 0 ? "---" : "---:"))}|");
        foreach (var row in cells) output.WriteLine($"| {string.Join(" | ", row)} |");
    }

    private void WriteJson(TextWriter output, List<Column> columns)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("model", setup.Model);
            json.WriteString("reference", setup.Reference);
            json.WriteString("metric", setup.Metric);
            json.WriteNumber("count", setup.Count);
            json.WriteNumber("seed", setup.Seed);
            if (setup.ClassLabels is { } labels)
            {
                json.WriteStartArray("classes");
                foreach (int k in labels) json.WriteNumberValue(k);
                json.WriteEndArray();
            }
            else json.WriteNull("classes");
            json.WriteStartObject("settings");
            foreach (var (key, value) in setup.Settings) json.WriteString(key, value);
            json.WriteEndObject();
            json.WriteStartArray("rows");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("sampler", row.Sampler);
                json.WriteNumber("steps", row.Steps);
                json.WriteNumber("nfe", row.ModelEvaluations);
                foreach (var column in columns)
                {
                    // JSON has no NaN: a diverged figure is null.
                    if (column.Value(row) is { } v && double.IsFinite(v)) json.WriteNumber(column.Key, v);
                    else json.WriteNull(column.Key);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in notes) json.WriteStringValue(note);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
