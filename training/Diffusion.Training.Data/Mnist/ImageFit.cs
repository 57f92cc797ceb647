namespace Diffusion.Training.Data.Mnist;

/// <summary>How images are brought to a size other than their own.</summary>
public enum ImageFit
{
    /// <summary>Centre the image on a larger canvas filled with the background value (no resampling).</summary>
    Pad,

    /// <summary>Resample to the new size, each output pixel taking its nearest input pixel.</summary>
    Nearest,

    /// <summary>Resample to the new size by bilinear interpolation (pixel centres aligned, no antialiasing).</summary>
    Bilinear,
}
