using Diffusion.Training.Data.Sampling;

namespace Diffusion.Training.Data.Toy;

/// <summary>
/// Uniform density on the dark squares of a board of <see cref="Cells"/> x <see cref="Cells"/>
/// squares covering [-1, 1]^2: the square in column i, row j (counted from -1) is dark when
/// i + j is even. Every point lies in [-1, 1]. Unlabelled.
/// </summary>
public sealed class Checkerboard : ToyDistribution
{
    private readonly (int Column, int Row)[] darkSquares;

    /// <summary>Creates the board.</summary>
    /// <param name="cells">Squares per side, at least 2.</param>
    public Checkerboard(int cells = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 2);
        Cells = cells;
        darkSquares = [.. from i in Enumerable.Range(0, cells)
                          from j in Enumerable.Range(0, cells)
                          where (i + j) % 2 == 0
                          select (i, j)];
    }

    /// <inheritdoc/>
    public override string Name => "checkerboard";

    /// <summary>Squares per side.</summary>
    public int Cells { get; }

    /// <summary>The side of one square, 2 / <see cref="Cells"/>.</summary>
    public double CellSize => 2.0 / Cells;

    /// <summary>Exactly [-1, 1].</summary>
    public override DataRange Range => DataRange.Symmetric;

    /// <summary>Whether (x, y) lies on a dark square (where the density is positive).</summary>
    public bool IsDark(double x, double y)
    {
        int column = Math.Clamp((int)Math.Floor((x + 1) / CellSize), 0, Cells - 1);
        int row = Math.Clamp((int)Math.Floor((y + 1) / CellSize), 0, Cells - 1);
        return (column + row) % 2 == 0;
    }

    private protected override (double X, double Y, int Label) Draw(ref SeededRandom random, int index)
    {
        (int column, int row) = darkSquares[random.NextInt(darkSquares.Length)];
        return (
            -1 + (column + random.NextDouble()) * CellSize,
            -1 + (row + random.NextDouble()) * CellSize,
            0);
    }
}
