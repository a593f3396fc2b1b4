using System.Runtime.InteropServices;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace Forensics.Pipeline.Query;

/// <summary>
/// Refuses SQL that writes files before it runs. DuckDB's allowed_paths cannot tell reading from writing, and a
/// sandboxed session must list the case's parts to read them, so <c>COPY … TO part.parquet (USE_TMP_FILE false)</c>
/// would otherwise truncate a part. Each statement is prepared (DuckDB's parser and binder, nothing executed) and
/// its kind checked: COPY and EXPORT only when an output folder was given; ATTACH, DETACH, LOAD and INSTALL never.
/// </summary>
public static partial class SqlStatementGuard
{
    public static void Check(DuckDBConnection connection, string sql, bool writingAllowed)
    {
        var handle = connection.NativeConnection.DangerousGetHandle();
        long count = (long)duckdb_extract_statements(handle, sql, out var extracted);
        try
        {
            if (count == 0)
                throw new SqlRefusedException(Marshal.PtrToStringUTF8(duckdb_extract_statements_error(extracted)) ?? "the SQL cannot be parsed");
            for (long i = 0; i < count; i++)
            {
                if (duckdb_prepare_extracted_statement(handle, extracted, (ulong)i, out var prepared) != 0)
                {
                    var error = Marshal.PtrToStringUTF8(duckdb_prepare_error(prepared));
                    duckdb_destroy_prepare(ref prepared);
                    // A later statement may name what an earlier one creates; it cannot be checked before that runs.
                    if (i > 0) throw new SqlRefusedException($"statement {i + 1} cannot be checked before the ones before it run ({error}); give one statement (a WITH clause instead of a temporary table)");
                    return; // the first statement does not bind: running it gives DuckDB's own error, and nothing runs
                }
                var kind = (DuckDBStatementType)duckdb_prepared_statement_type(prepared);
                duckdb_destroy_prepare(ref prepared);
                var refusal = Refusal(kind, writingAllowed);
                if (refusal is not null) throw new SqlRefusedException(count == 1 ? refusal : $"statement {i + 1}: {refusal}");
            }
        }
        finally
        {
            duckdb_destroy_extracted(ref extracted);
        }
    }

    private static string? Refusal(DuckDBStatementType kind, bool writingAllowed) => kind switch
    {
        DuckDBStatementType.Copy or DuckDBStatementType.Export when !writingAllowed =>
            $"{kind.ToString().ToUpperInvariant()} writes files, and this session is read-only; --write-to FOLDER allows writing into that folder",
        DuckDBStatementType.Attach or DuckDBStatementType.Detach => "ATTACH and DETACH are not allowed: the session reads the case only",
        DuckDBStatementType.Load or DuckDBStatementType.Extension => "extensions are not installed or loaded: the session reads the case only",
        _ => null,
    };

    // DuckDB C API (duckdb.h); the library is the one DuckDB.NET loaded.
    [LibraryImport("duckdb", StringMarshalling = StringMarshalling.Utf8)]
    private static partial ulong duckdb_extract_statements(IntPtr connection, string query, out IntPtr extracted);
    [LibraryImport("duckdb")]
    private static partial IntPtr duckdb_extract_statements_error(IntPtr extracted);
    [LibraryImport("duckdb")]
    private static partial int duckdb_prepare_extracted_statement(IntPtr connection, IntPtr extracted, ulong index, out IntPtr prepared);
    [LibraryImport("duckdb")]
    private static partial IntPtr duckdb_prepare_error(IntPtr prepared);
    [LibraryImport("duckdb")]
    private static partial int duckdb_prepared_statement_type(IntPtr prepared);
    [LibraryImport("duckdb")]
    private static partial void duckdb_destroy_prepare(ref IntPtr prepared);
    [LibraryImport("duckdb")]
    private static partial void duckdb_destroy_extracted(ref IntPtr extracted);
}

/// <summary>SQL a read-only session will not run; the message is one line.</summary>
public sealed class SqlRefusedException(string message) : Exception(message);
