using System.Text.Json.Nodes;
using Diffusion.Runtime.Models;
using FsCheck;
using FsCheck.Fluent;

namespace Diffusion.Runtime.Tests.Fuzz;

/// <summary>
/// Scheduler configs come from outside (a file beside a model, ONNX metadata, a user's JSON):
/// random and mutated configs either parse to a config that round-trips through its JSON, or
/// fail with <see cref="DiffusionModelException"/>; never another exception, never a hang.
/// </summary>
public class SchedulerConfigFuzzTests
{
    private static readonly string[] Keys =
    [
        "_class_name", "noise_schedule", "num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas",
        "prediction_type", "timestep_spacing", "steps_offset", "clip_sample", "clip_sample_range", "set_alpha_to_one",
        "variance_type", "sigma_min", "sigma_max", "sampling_eps", "snr", "beta_min", "beta_max", "timestep_input",
        "timestep_scale", "data_min", "data_max", "num_classes", "null_class_label", "sample_size", "in_channels", "unknown_key",
    ];

    private static readonly string[] Words =
    [
        "linear", "scaled_linear", "squaredcos_cap_v2", "epsilon", "sample", "v_prediction", "score", "discrete", "vp", "subvp", "ve",
        "leading", "trailing", "linspace", "karras", "uniform", "fixed_small", "fixed_large", "index", "t", "sigma", "log_sigma",
        "ScoreSdeVeScheduler", "DDPMScheduler", "", "NaN", "Infinity", "1e400", "-3",
    ];

    private static readonly double[] Numbers =
        [0, -0.0, 1, 2, 10, 1000, 1e-4, 0.02, 0.5, -1, 1e6, 1e9, 3e38, 1.7e308, 4.9e-324, 2147483648, -2147483649, 0.1, 20, 50, 1348];

    private static Gen<JsonNode?> Value(int depth)
    {
        var scalars = Gen.OneOf(
            Gen.Elements(Numbers).Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Choose(-5, 5000).Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Elements(Words).Select(w => (JsonNode?)JsonValue.Create(w)),
            Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Constant((JsonNode?)null));
        if (depth == 0) return scalars;
        var array = Gen.OneOf(Gen.Elements(Numbers).Select(d => (JsonNode?)JsonValue.Create(d)), Gen.Constant((JsonNode?)null))
            .ListOf().Select(items => (JsonNode?)new JsonArray([.. items]));
        var betas = Gen.Choose(0, 3).Select(k => (JsonNode?)new JsonArray([.. Enumerable.Repeat(1000, k == 0 ? 1000 : k).Select(_ => (JsonNode?)JsonValue.Create(0.01))]));
        return Gen.Frequency((6, scalars), (1, array), (1, betas), (1, Value(depth - 1).Select(v => (JsonNode?)new JsonObject { ["x"] = v })));
    }

    private static readonly Gen<string> RandomConfigs =
        Gen.Elements(Keys).SelectMany(key => Value(2).Select(value => (key, value))).ListOf()
            .Select(pairs =>
            {
                var o = new JsonObject();
                foreach (var (key, value) in pairs) o[key] = value?.DeepClone();
                return o.ToJsonString();
            });

    private static readonly string[] ValidConfigs =
    [
        """{ "num_train_timesteps": 1000, "beta_schedule": "linear", "prediction_type": "epsilon", "clip_sample": false }""",
        """{ "noise_schedule": "ve", "sigma_min": 0.01, "sigma_max": 50, "prediction_type": "score", "timestep_input": "log_sigma" }""",
        """{ "noise_schedule": "vp", "beta_min": 0.1, "beta_max": 20, "timestep_scale": 999, "num_classes": 10, "null_class_label": 10 }""",
    ];

    // Random edits of a valid config: delete, insert or replace a character, or cut the text short.
    private static readonly Gen<string> MutatedConfigs =
        from text in Gen.Elements(ValidConfigs)
        from edits in Gen.Choose(1, 6)
        from seed in Gen.Choose(0, int.MaxValue)
        select Mutate(text, edits, new Random(seed));

    private static string Mutate(string text, int edits, Random random)
    {
        const string alphabet = "{}[],:\"0123456789.-eE truefalsnl\\";
        var chars = text.ToList();
        for (int i = 0; i < edits && chars.Count > 0; i++)
        {
            int at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                case 2: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                default: chars.RemoveRange(at, chars.Count - at); break;
            }
        }
        return new string([.. chars]);
    }

    /// <summary>True when <paramref name="json"/> parses to a config that round-trips, or is refused with our exception.</summary>
    private static bool ParsesAndRoundTripsOrIsRefused(string json)
    {
        SchedulerConfig config;
        try
        {
            config = SchedulerConfig.Parse(json, "fuzz");
        }
        catch (DiffusionModelException e)
        {
            return e.Message.StartsWith("scheduler config fuzz", StringComparison.Ordinal) && !e.Message.Contains("unexpected", StringComparison.OrdinalIgnoreCase);
        }
        return SchedulerConfig.Parse(config.ToJson(), "round trip").Equals(config);
    }

    [Fact]
    public void RandomConfigsParseAndRoundTripOrAreRefusedWithOurError() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(RandomConfigs.ToArbitrary(), ParsesAndRoundTripsOrIsRefused));

    [Fact]
    public void MutatedConfigsParseAndRoundTripOrAreRefusedWithOurError() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3_000), Prop.ForAll(MutatedConfigs.ToArbitrary(), ParsesAndRoundTripsOrIsRefused));

    [Theory]
    [InlineData("""{ "trained_betas": [0.1, null] }""", "'trained_betas'[1] must be a number, got null")]
    [InlineData("""{ "beta_start": 0.001, "beta_start": 0.002 }""", "gives the key 'beta_start' twice")]
    [InlineData("""{ "num_train_timesteps": 1000000000 }""", "num_train_timesteps must lie in 2 to 100000 (ModelLoadOptions.MaxTrainTimesteps), got 1000000000")]
    [InlineData("""{ "timestep_scale": "Infinity" }""", "timestep_scale must be a finite number")]
    [InlineData("""{ "steps_offset": -1 }""", "steps_offset must lie in 0 to 999, got -1")]
    [InlineData("""{ "num_train_timesteps": 10.5 }""", "'num_train_timesteps' must be a whole number within 32 bits, got 10.5")]
    [InlineData("""{ "beta_schedule": 3 }""", "'beta_schedule' must be a string, got 3")]
    [InlineData("""[1, 2]""", "is not a JSON object")]
    public void EachKnownTrapNamesTheKey(string json, string expected)
    {
        var e = Assert.Throws<DiffusionModelException>(() => SchedulerConfig.Parse(json, "test.json"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TheTrainingStepLimitCanBeRaised()
    {
        const string json = """{ "num_train_timesteps": 200000, "beta_end": 0.0001 }""";
        Assert.Throws<DiffusionModelException>(() => SchedulerConfig.Parse(json, "fine.json"));
        var config = SchedulerConfig.Parse(json, "fine.json", maxTrainTimesteps: 200_000);
        Assert.Equal(200_000, config.NumTrainTimesteps);
    }
}
