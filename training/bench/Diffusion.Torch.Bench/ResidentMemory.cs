namespace Diffusion.Torch.Bench;

/// <summary>The process's resident set size, from /proc/self/status (VmRSS).</summary>
internal static class ResidentMemory
{
    public static double Megabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return double.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }
        throw new InvalidOperationException("VmRSS not found in /proc/self/status");
    }
}
