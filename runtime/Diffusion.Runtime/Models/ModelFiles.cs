namespace Diffusion.Runtime.Models;

/// <summary>Finds a model's .onnx file and its scheduler config on disk.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// The .onnx file for <paramref name="path"/> (a file, or a directory holding <c>model.onnx</c>
    /// or <c>unet/model.onnx</c>) and the directories to search for a scheduler config.
    /// </summary>
    public static (string ModelFile, string[] ConfigDirs) Resolve(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var candidate in new[] { "model.onnx", Path.Combine("unet", "model.onnx") })
            {
                string file = Path.Combine(path, candidate);
                if (File.Exists(file)) return (Path.GetFullPath(file), ConfigDirs(Path.GetFullPath(file), Path.GetFullPath(path)));
            }
            throw new DiffusionModelException($"model directory {path} holds neither model.onnx nor unet/model.onnx.");
        }
        if (!File.Exists(path))
            throw new DiffusionModelException($"model file {path} does not exist: give an .onnx file or a diffusers-layout directory.");
        string full = Path.GetFullPath(path);
        return (full, ConfigDirs(full, Path.GetDirectoryName(full)!));
    }

    private static string[] ConfigDirs(string modelFile, string root)
    {
        string dir = Path.GetDirectoryName(modelFile)!;
        string parent = Path.GetDirectoryName(dir) ?? dir;
        // diffusers pipelines keep unet/model.onnx beside scheduler/scheduler_config.json.
        return new[] { dir, root, Path.Combine(root, "scheduler"), Path.Combine(parent, "scheduler") }.Distinct().ToArray();
    }

    /// <summary>The config: explicit file, else embedded metadata, else a scheduler_config.json nearby.</summary>
    public static (SchedulerConfig Config, string Source) FindConfig(string? explicitPath, IReadOnlyDictionary<string, string> metadata,
        string modelFile, string[] dirs, int maxTrainTimesteps = SchedulerConfig.DefaultMaxTrainTimesteps)
    {
        if (explicitPath is not null)
        {
            if (!File.Exists(explicitPath)) throw new DiffusionModelException($"scheduler config {explicitPath} does not exist: check ModelLoadOptions.SchedulerConfigPath.");
            return (SchedulerConfig.Parse(File.ReadAllText(explicitPath), explicitPath, maxTrainTimesteps), explicitPath);
        }
        if (metadata.TryGetValue(SchedulerConfig.MetadataKey, out var json))
            return (SchedulerConfig.Parse(json, $"embedded in {modelFile}", maxTrainTimesteps), "embedded metadata_props");
        foreach (var dir in dirs)
        {
            string file = Path.Combine(dir, SchedulerConfig.FileName);
            if (File.Exists(file)) return (SchedulerConfig.Parse(File.ReadAllText(file), file, maxTrainTimesteps), file);
        }
        throw new DiffusionModelException(
            $"no scheduler config for {modelFile}: embed it in the model's metadata_props as '{SchedulerConfig.MetadataKey}', " +
            $"put a {SchedulerConfig.FileName} beside it, or set ModelLoadOptions.SchedulerConfigPath; {SchedulerConfig.RequiredKeysHint}.");
    }
}
