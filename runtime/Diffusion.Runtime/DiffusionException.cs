namespace Diffusion.Runtime;

/// <summary>
/// A problem with the user's input (a model, a config, an option, a file) that the runtime
/// can explain in one line: the message names what is wrong and how to fix it.
/// </summary>
public class DiffusionException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public DiffusionException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the underlying cause.</summary>
    public DiffusionException(string message, Exception inner) : base(message, inner) { }
}
