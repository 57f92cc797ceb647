namespace Diffusion.Runtime;
/// <summary>Placeholder.</summary>
public static class Placeholder { }
