namespace Diffusion.Training.Data;

/// <summary>
/// A dataset that cannot be used (missing, unreadable, or of the wrong shape or values), explained
/// in one line: the message names the file or dataset and the fix.
/// </summary>
public class DatasetException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public DatasetException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the underlying cause.</summary>
    public DatasetException(string message, Exception inner) : base(message, inner) { }
}
