namespace Forensics.Cli.Commands;

internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>An input could not be read at all (missing, unreadable, corrupt from the first byte).</summary>
    public const int InputUnreadable = 1;
    public const int Usage = 2;
    public const int Failed = 3;
}
