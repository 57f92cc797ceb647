namespace Diffusion.Runtime.Evaluation;

/// <summary>
/// The eigendecomposition A = V diag(lambda) V^T of a real symmetric matrix by the cyclic Jacobi
/// method (Golub &amp; Van Loan, Matrix Computations, 4th ed., section 8.5): sweep over every
/// off-diagonal pair (p, q), zeroing A[p, q] with a plane rotation, until the off-diagonal part
/// is negligible. Accurate to working precision and simple; it costs O(D^3) per sweep, meant for
/// the D &lt;= a few hundred of classifier features.
/// </summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>The eigenvalues (unsorted) and the eigenvectors, as the columns of <c>Vectors</c>.</summary>
    /// <param name="matrix">A symmetric D x D matrix; it is not modified (only its lower triangle is read).</param>
    public static (double[] Values, double[,] Vectors) Decompose(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException($"the matrix is {n} x {matrix.GetLength(1)}; an eigendecomposition needs a square one.", nameof(matrix));
        var a = new double[n, n];
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
            for (int j = 0; j <= i; j++) a[i, j] = a[j, i] = matrix[i, j];
        }

        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            if (OffDiagonalIsNegligible(a)) return (Diagonal(a), v);
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    // An element below rounding error of both diagonal entries is zero already (as in
                    // Numerical Recipes' jacobi): rotating it would only churn rounding noise.
                    if (sweep > 3 && Negligible(a[p, q], a[p, p]) && Negligible(a[p, q], a[q, q])) a[p, q] = a[q, p] = 0;
                    else if (a[p, q] != 0) Rotate(a, v, p, q);
                }
        }
        if (OffDiagonalIsNegligible(a)) return (Diagonal(a), v);
        throw new DiffusionModelException($"the Jacobi eigenvalue iteration did not converge in {MaxSweeps} sweeps: the matrix holds non-finite or wildly scaled values.");
    }

    /// <summary>
    /// Zeroes a[p, q] by A = J^T A J with J the rotation by (c, s) in the (p, q) plane, and
    /// accumulates V = V J. The rotation solves the 2 x 2 symmetric Schur problem (G&amp;VL Alg. 8.5.1):
    /// tau = (a_qq - a_pp) / (2 a_pq), t = sign(tau) / (|tau| + sqrt(1 + tau^2)), c = 1 / sqrt(1 + t^2), s = t c.
    /// </summary>
    private static void Rotate(double[,] a, double[,] v, int p, int q)
    {
        double tau = (a[q, q] - a[p, p]) / (2 * a[p, q]);
        double t = (tau >= 0 ? 1 : -1) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
        double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
        Combine(a, p, q, c, s, rows: false);
        Combine(a, p, q, c, s, rows: true);
        a[p, q] = a[q, p] = 0;
        Combine(v, p, q, c, s, rows: false);
    }

    /// <summary>Columns (or rows) p and q of m become c m_p - s m_q and s m_p + c m_q: m J (or J^T m).</summary>
    private static void Combine(double[,] m, int p, int q, double c, double s, bool rows)
    {
        for (int k = 0; k < m.GetLength(0); k++)
        {
            ref double mp = ref rows ? ref m[p, k] : ref m[k, p];
            ref double mq = ref rows ? ref m[q, k] : ref m[k, q];
            (mp, mq) = (c * mp - s * mq, s * mp + c * mq);
        }
    }

    private static bool Negligible(double offDiagonal, double diagonal) =>
        Math.Abs(diagonal) + 100 * Math.Abs(offDiagonal) == Math.Abs(diagonal);

    // Converged when the off-diagonal mass is below rounding error relative to the whole matrix.
    private static bool OffDiagonalIsNegligible(double[,] a)
    {
        int n = a.GetLength(0);
        double off = 0, total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double square = a[i, j] * a[i, j];
                total += square;
                if (i != j) off += square;
            }
        return off <= 1e-30 * total;
    }

    private static double[] Diagonal(double[,] a)
    {
        var values = new double[a.GetLength(0)];
        for (int i = 0; i < values.Length; i++) values[i] = a[i, i];
        return values;
    }
}
