namespace Diffusion.Runtime.Generation;

/// <summary>The shape of one sample, [C, H, W].</summary>
public readonly record struct SampleShape(int Channels, int Height, int Width)
{
    /// <summary>Values per sample.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"[{Channels}, {Height}, {Width}]";
}
