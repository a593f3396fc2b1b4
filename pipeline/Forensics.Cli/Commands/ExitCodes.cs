namespace Forensics.Cli.Commands;

/// <summary>The process exit codes; the README's "Exit codes" table lists the same.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>An input does not exist (nothing is written), or one could not be read at all or an archive is damaged (the case records it as failed).</summary>
    public const int InputUnreadable = 1;
    /// <summary>A mistake on the command line: unknown command or option, missing or bad value, non-empty case folder without --replace.</summary>
    public const int Usage = 2;
    /// <summary>The run failed (a stage or a query failed, or the read-only SQL session refused a statement); the message names where.</summary>
    public const int Failed = 3;
    /// <summary>The case folder or an output file cannot be written (read-only, not a folder, no permission, disk full).</summary>
    public const int OutputUnwritable = 4;
    /// <summary>A reading command refused a case that is not complete or whose Parquet parts differ from its manifest (--allow-incomplete reads it).</summary>
    public const int IncompleteCase = 5;
}
