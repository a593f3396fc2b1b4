using System.CommandLine;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// Parses and runs a command with the exit codes of <see cref="ExitCodes"/>: a usage mistake is one line on stderr
/// naming it (exit 2), not the help on stdout; an output that cannot be written is one line (exit 4); anything
/// else unexpected is one line naming the exception (exit 3), never a stack trace.
/// </summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var unknown = UnknownOptions(parse, args);
        if (parse.Errors.Count > 0 || unknown.Count > 0)
        {
            var command = parse.CommandResult.Command;
            var help = command == root ? "forensics --help" : $"forensics {command.Name} --help";
            // Every mistake, on one line: the parser's messages may hold line breaks (lists of accepted values).
            var mistakes = string.Join("; ", unknown.Select(u => $"Unrecognized option '{u}'.").Concat(parse.Errors
                .Select(e => string.Join(' ', e.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))).Distinct());
            Console.Error.WriteLine($"forensics: {TerminalText.Escape(mistakes)} (see {help})");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"forensics: cannot write: {TerminalText.Escape(ex.Message)}");
            return ExitCodes.OutputUnwritable;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("forensics: cancelled");
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"forensics: {ex.GetType().Name}: {TerminalText.Escape(ex.Message)}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// A mistyped option after a variadic argument (<c>ingest a.log --frobnicate</c>) is taken by the parser as one
    /// more path; a value that looks like an option and names no file is reported as the mistake it is. Values
    /// after a literal <c>--</c> are paths whatever they look like.
    /// </summary>
    private static List<string> UnknownOptions(ParseResult parse, string[] args)
    {
        int separator = Array.IndexOf(args, "--");
        var literal = separator < 0 ? [] : args[(separator + 1)..].ToHashSet(StringComparer.Ordinal);
        return parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens).Select(t => t.Value)
            .Where(v => v.Length > 1 && v[0] == '-' && !literal.Contains(v) && !File.Exists(v) && !Directory.Exists(v))
            .ToList();
    }
}
