namespace Diffusion.Training.Objectives;

/// <summary>How the squared errors of a batch become one loss value.</summary>
public enum LossReduction
{
    /// <summary>The mean over every element of the batch: DDPM's "simple" loss as Ho et al. 2020 train it
    /// (eq. 14, averaged over pixels).</summary>
    MeanOverElements,

    /// <summary>Half the squared norm of each sample's error, averaged over the batch: the
    /// 1/2 E ||.||^2 of Song &amp; Ermon 2019 (eq. 5-6) and of Song et al. 2021 (eq. 7).</summary>
    HalfSumPerSample,
}
