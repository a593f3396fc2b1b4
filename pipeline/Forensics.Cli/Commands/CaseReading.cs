using System.CommandLine;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// How every reading command (query, sql, timeline, investigate, sigma) opens a case: the integrity check and the SQL
/// sandbox of <see cref="CaseSession.Open(string, CaseAccess)"/>, one line on stderr and an exit code when refused,
/// and the --allow-incomplete warning printed where each command's output goes.
/// </summary>
internal static class CaseReading
{
    public static readonly Option<bool> AllowIncomplete = new("--allow-incomplete")
    {
        Description = "Read a case that is not complete or whose Parquet parts differ from its manifest (every output then repeats a warning)",
    };

    /// <summary>The session, or null with the exit code after one line on stderr.</summary>
    public static CaseSession? Open(string caseDir, CaseAccess access, out int exitCode) => Open([caseDir], access, out exitCode);

    /// <summary>Several case folders read as one (each checked on its own); null with the exit code when one is refused.</summary>
    public static CaseSession? Open(IReadOnlyList<string> caseDirs, CaseAccess access, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        try
        {
            var session = CaseSession.Open(caseDirs, access);
            Warn(session);
            return session;
        }
        catch (IncompleteCaseException ex) { exitCode = ExitCodes.IncompleteCase; Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); }
        catch (DirectoryNotFoundException ex) { exitCode = ExitCodes.Usage; Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); }
        catch (ArgumentException ex) { exitCode = ExitCodes.Usage; Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); }
        return null;
    }

    /// <summary>Prints the session's warning (if any) on stderr and, when stdout carries the human-readable output, there too.</summary>
    public static void Warn(CaseSession session, bool onStdout = false, bool onStderr = true)
    {
        if (session.Warning is not { } warning) return;
        if (onStderr) Console.Error.WriteLine($"forensics: {TerminalText.Escape(warning)}");
        if (onStdout) Console.WriteLine(TerminalText.Escape(warning));
    }

    /// <summary>A sandbox refusal names the way out; other SQL errors are as DuckDB words them.</summary>
    public static string SqlError(string message) =>
        message.Contains("disabled by configuration", StringComparison.OrdinalIgnoreCase) || message.Contains("lock_configuration", StringComparison.OrdinalIgnoreCase)
            ? $"{message} (forensics SQL reads only the case; --write-to FOLDER lets COPY … TO write into that folder)"
            : message;
}
