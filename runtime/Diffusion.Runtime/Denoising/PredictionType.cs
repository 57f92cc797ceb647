namespace Diffusion.Runtime.Denoising;

/// <summary>What a network outputs, for <c>x = alpha x0 + sigma eps</c>.</summary>
public enum PredictionType
{
    /// <summary>The noise eps (Ho et al. 2020).</summary>
    Epsilon,

    /// <summary>The clean sample x0.</summary>
    Sample,

    /// <summary>v = alpha eps - sigma x0 (Salimans &amp; Ho 2022).</summary>
    VPrediction,

    /// <summary>The score, grad log p_t(x) (Song &amp; Ermon 2019; Song et al. 2021).</summary>
    Score,
}
