// Writes the demo model, the exact epsilon predictor of an 8-Gaussian ring (Diffusion.Onnx's
// RingDemo), to models/ring-demo.onnx in the repository, or to the path given as the argument.
//
//   dotnet run --project training/Diffusion.DemoModel [output.onnx]
using Diffusion.Onnx.Graphs;
using Diffusion.Onnx.Mixtures;

if (args.Length > 1 || args is ["-h" or "--help"])
{
    Console.Error.WriteLine("usage: Diffusion.DemoModel [output.onnx]   (default: <repository>/models/ring-demo.onnx)");
    return args.Length > 1 ? 2 : 0;
}

string path;
if (args.Length == 1)
    path = args[0];
else if ((FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? FindRepositoryRoot(AppContext.BaseDirectory)) is { } root)
    path = Path.Combine(root, RingDemo.RelativePath);
else
{
    Console.Error.WriteLine("Cannot find the repository (no Diffusion.Runtime.sln above this folder): pass the output path as the argument.");
    return 1;
}

try
{
    RingDemo.Build().Save(path);
}
catch (IOException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
Console.WriteLine($"wrote {Path.GetFullPath(path)}");
return 0;

static string? FindRepositoryRoot(string start)
{
    for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        if (File.Exists(Path.Combine(folder.FullName, "Diffusion.Runtime.sln")))
            return folder.FullName;
    return null;
}
