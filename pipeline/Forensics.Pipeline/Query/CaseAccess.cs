namespace Forensics.Pipeline.Query;

/// <summary>How a reading command may use a case (<see cref="CaseSession.Open(string, CaseAccess)"/>).</summary>
public sealed record CaseAccess
{
    /// <summary>Read a case that is not complete or whose parts differ from its manifest, under a warning.</summary>
    public bool AllowIncomplete { get; init; }
    /// <summary>The one folder SQL may write into (COPY … TO); null: SQL writes nothing.</summary>
    public string? WriteFolder { get; init; }
    /// <summary>DuckDB's memory_limit for the session (e.g. "1GB"); null keeps DuckDB's default (80 % of RAM). Sorts and joins spill beyond it.</summary>
    public string? MemoryLimit { get; init; }
}

/// <summary>A case that is not complete or whose Parquet parts differ from its manifest; the message is one line.</summary>
public sealed class IncompleteCaseException(string caseDirectory, IReadOnlyList<string> problems)
    : Exception($"the case {caseDirectory} is incomplete or altered: {Case.CaseIntegrity.Summary(problems)}; use --allow-incomplete to read it anyway")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
