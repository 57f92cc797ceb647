namespace Diffusion.Runtime;

/// <summary>
/// A failure the runtime can explain in one line: the message names what is wrong and how to fix
/// it. Catch <see cref="DiffusionRequestException"/> for a request to reject (a service's 400) and
/// <see cref="DiffusionModelException"/> for a model or runtime that failed (a service's 500).
/// The runtime library throws only those two; tools built on it (the CLIs, training) throw this
/// base type for their own one-line errors.
/// </summary>
public class DiffusionException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public DiffusionException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the underlying cause.</summary>
    public DiffusionException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// The caller asked for something invalid (an option out of range, an unknown sampler, a class
/// label the model does not have, a request too large for the limits). Nothing was run; fix the
/// request. <see cref="Member"/> names the API member at fault, so a front end can name its own
/// field or flag instead.
/// </summary>
public sealed class DiffusionRequestException : DiffusionException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line naming the problem and the fix, in terms of the API.</param>
    /// <param name="member">The member at fault, as <c>Type.Member</c> (e.g. <c>GenerationOptions.Steps</c>); null when none is.</param>
    public DiffusionRequestException(string message, string? member = null) : base(message) => Member = member;

    /// <summary>The member at fault, as <c>Type.Member</c> (e.g. <c>GenerationOptions.Steps</c>), or null.</summary>
    public string? Member { get; }
}

/// <summary>
/// A model cannot be loaded or failed while running: a missing or corrupt file, a scheduler config
/// out of range, an input layout the runtime cannot feed, ONNX Runtime failing, NaN in an output.
/// </summary>
public sealed class DiffusionModelException : DiffusionException
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public DiffusionModelException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the underlying cause.</summary>
    public DiffusionModelException(string message, Exception? inner) : base(message, inner) { }
}
