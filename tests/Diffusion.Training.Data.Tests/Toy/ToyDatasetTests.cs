using Diffusion.Training.Data.Toy;

namespace Diffusion.Training.Data.Tests.Toy;

public class ToyDatasetTests
{
    public static TheoryData<string> Names => ["ring", "moons", "swissroll", "checkerboard"];

    private static ToyDistribution Named(string name) => DatasetFactory.Toy(name)!;

    [Theory]
    [MemberData(nameof(Names))]
    public void The_same_seed_gives_the_same_points_and_another_seed_other_points(string name)
    {
        Dataset a = Named(name).Generate(500, seed: 11);
        Dataset b = Named(name).Generate(500, seed: 11);
        Dataset c = Named(name).Generate(500, seed: 12);

        Assert.Equal(a.Data, b.Data);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Data, c.Data);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_larger_set_starts_with_the_points_of_a_smaller_one(string name)
    {
        Dataset small = Named(name).Generate(100, seed: 3);
        Dataset large = Named(name).Generate(1000, seed: 3);

        Assert.Equal(small.Data, large.Data.Take(small.Data.Length));
    }

    [Theory]
    [InlineData("moons")]
    [InlineData("swissroll")]
    [InlineData("checkerboard")]
    public void Points_are_shaped_N_2_1_1_and_lie_in_the_declared_range(string name)
    {
        Dataset points = Named(name).Generate(20_000, seed: 5);

        Assert.Equal([20_000, 2, 1, 1], points.Shape);
        Assert.Equal(name, points.Name);
        Assert.All(points.Data, v => Assert.True(points.Range.Contains(v), $"{v} is outside {points.Range}"));
    }

    [Fact]
    public void Ring_points_lie_near_the_circle_and_its_components_are_equally_frequent()
    {
        var ring = new RingOfGaussians();
        Dataset points = ring.Generate(40_000, seed: 1);
        double[] radii = [.. Enumerable.Range(0, points.Count).Select(i => Math.Sqrt(Square(points.Data[2 * i]) + Square(points.Data[2 * i + 1])))];

        Assert.Equal([40_000, 2, 1, 1], points.Shape);
        Assert.InRange(points.Data.Count(v => points.Range.Contains(v)) / (double)points.Data.Length, 0.9999, 1.0);
        Assert.InRange(radii.Average(), 0.99, 1.02);
        Assert.InRange(radii.Count(r => Math.Abs(r - 1.0) < 0.3) / (double)radii.Length, 0.99, 1.0);
        for (int k = 0; k < 8; k++)
        {
            double frequency = points.Labels!.Count(l => l == k) / (double)points.Count;
            Assert.InRange(frequency, 1.0 / 8 - 0.01, 1.0 / 8 + 0.01);
        }
    }

    [Fact]
    public void Ring_points_scatter_around_their_component_mean_with_the_declared_std()
    {
        var ring = new RingOfGaussians(components: 5, radius: 2, std: 0.2);
        Dataset points = ring.Generate(50_000, seed: 2);
        var offsets = new List<double>();
        for (int i = 0; i < points.Count; i++)
        {
            (double mx, double my) = ring.Means[points.Labels![i]];
            offsets.Add(points.Data[2 * i] - mx);
            offsets.Add(points.Data[2 * i + 1] - my);
        }

        double mean = offsets.Average();
        double std = Math.Sqrt(offsets.Select(o => Square(o - mean)).Average());
        Assert.InRange(mean, -0.005, 0.005);
        Assert.InRange(std, 0.196, 0.204);
        Assert.Equal(5, points.ClassCount);
    }

    [Fact]
    public void Ring_parameters_describe_the_true_mixture()
    {
        var ring = new RingOfGaussians(components: 4, radius: 3, std: 0.5);

        Assert.Equal(4, ring.Means.Count);
        Assert.Equal(3, ring.Means[0].X, 12);
        Assert.Equal(0, ring.Means[0].Y, 12);
        Assert.Equal(3, ring.Means[1].Y, 12);
        Assert.Equal(-3, ring.Means[2].X, 12);
        Assert.All(ring.Weights, w => Assert.Equal(0.25, w, 12));
        Assert.Equal(0.5, ring.Std);
        Assert.Equal(new DataRange(-5, 5), ring.Range);
    }

    [Fact]
    public void Noise_free_moons_lie_on_two_scaled_half_circles()
    {
        var moons = new TwoMoons(noise: 0);
        Dataset points = moons.Generate(2_000, seed: 4);
        double s = moons.Scale;
        (double X, double Y)[] centres = [((0 - 0.5) * s, (0 - 0.25) * s), ((1 - 0.5) * s, (0.5 - 0.25) * s)];
        for (int i = 0; i < points.Count; i++)
        {
            (double cx, double cy) = centres[points.Labels![i]];
            double distance = Math.Sqrt(Square(points.Data[2 * i] - cx) + Square(points.Data[2 * i + 1] - cy));
            Assert.Equal(s, distance, 5);
        }

        Assert.Equal(1_000, points.Labels!.Count(l => l == 1));
        Assert.Equal(1.0 / 1.5, s, 12);
    }

    [Fact]
    public void Moon_points_reach_across_the_range()
    {
        Dataset points = new TwoMoons().Generate(20_000, seed: 6);
        float[] xs = [.. Enumerable.Range(0, points.Count).Select(i => points.Data[2 * i])];

        Assert.InRange(xs.Min(), -1.0, -0.8);
        Assert.InRange(xs.Max(), 0.8, 1.0);
    }

    [Fact]
    public void Noise_free_swiss_roll_points_lie_on_the_spiral()
    {
        var roll = new SwissRoll(noise: 0);
        Dataset points = roll.Generate(2_000, seed: 8);
        for (int i = 0; i < points.Count; i++)
        {
            double x = points.Data[2 * i] / roll.Scale;
            double y = points.Data[2 * i + 1] / roll.Scale;
            double t = Math.Sqrt(x * x + y * y);
            Assert.InRange(t, SwissRoll.StartAngle - 1e-4, SwissRoll.EndAngle + 1e-4);
            Assert.True(Math.Abs(x - t * Math.Cos(t)) < 1e-3 && Math.Abs(y - t * Math.Sin(t)) < 1e-3, $"({x}, {y}) is off the spiral");
        }
    }

    [Fact]
    public void Checkerboard_points_fall_on_dark_squares_in_equal_shares()
    {
        var board = new Checkerboard();
        Dataset points = board.Generate(40_000, seed: 9);
        var counts = new Dictionary<(int, int), int>();
        for (int i = 0; i < points.Count; i++)
        {
            float x = points.Data[2 * i];
            float y = points.Data[2 * i + 1];
            Assert.True(board.IsDark(x, y), $"({x}, {y}) is on a light square");
            var square = ((int)Math.Floor((x + 1) / board.CellSize), (int)Math.Floor((y + 1) / board.CellSize));
            counts[square] = counts.GetValueOrDefault(square) + 1;
        }

        Assert.Equal(8, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 4_700, 5_300));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(0.34)]
    [InlineData(double.NaN)]
    public void Noise_that_would_leave_the_range_is_refused(double noise)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TwoMoons(noise));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SwissRoll(noise));
    }

    private static double Square(double v) => v * v;
}
