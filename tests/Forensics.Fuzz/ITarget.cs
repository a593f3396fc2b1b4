namespace Forensics.Fuzz;

/// <summary>One fuzz target: runs the input through a real code path and throws on a broken invariant.</summary>
public interface ITarget
{
    void Run(byte[] input);
}
