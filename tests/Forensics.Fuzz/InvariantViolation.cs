namespace Forensics.Fuzz;

/// <summary>
/// Thrown when a target's output breaks one of the pipeline's promises (accounting, offsets, hashes). It is
/// never caught: the fuzz process dies, so afl++ records the input as a crash.
/// </summary>
public sealed class InvariantViolation(string message) : Exception(message)
{
    public static void Check(bool holds, string message)
    {
        if (!holds) throw new InvariantViolation(message);
    }
}
