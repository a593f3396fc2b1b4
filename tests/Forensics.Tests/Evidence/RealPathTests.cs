using Forensics.Pipeline.Evidence;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

public sealed class RealPathTests
{
    [Fact]
    public void Links_are_resolved_at_every_component_and_dot_dot_applies_to_the_target()
    {
        using var dir = new TempDir();
        var real = RealPath.Resolve(dir.Path); // the temp folder itself may sit behind a link
        Directory.CreateDirectory(dir.Combine("ev", "var", "log"));
        Directory.CreateSymbolicLink(dir.Combine("evlink"), "ev");                        // relative target
        Directory.CreateSymbolicLink(dir.Combine("deep"), dir.Combine("ev", "var", "log")); // absolute target
        Assert.Equal(Path.Combine(real, "ev", "var"), RealPath.Resolve(dir.Combine("evlink", "var")));
        Assert.Equal(Path.Combine(real, "ev", "var", "not-yet", "case"), RealPath.Resolve(dir.Combine("evlink", "var", "not-yet", "case")));
        // ".." after a link leaves the link's target, not the folder the link sits in.
        Assert.Equal(Path.Combine(real, "ev", "var"), RealPath.Resolve(dir.Combine("deep") + "/.."));
    }

    [Fact]
    public void A_link_cycle_is_an_error_not_a_hang()
    {
        using var dir = new TempDir();
        File.CreateSymbolicLink(dir.Combine("a"), dir.Combine("b"));
        File.CreateSymbolicLink(dir.Combine("b"), dir.Combine("a"));
        Assert.Throws<IOException>(() => RealPath.Resolve(dir.Combine("a", "x")));
    }
}
