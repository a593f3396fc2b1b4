using System.Diagnostics;
using System.Text.Json;

namespace Forensics.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c> in headless mode (listed in .ci/apt-packages): renders a page to its DOM after load
/// (<c>--dump-dom</c>) or to a PNG, optionally with a NetLog of every request. Tests that need it skip with the
/// reason when it is absent. Host names resolve to nothing and the browser's own background services are off,
/// so a run reaches no address outside this machine.
/// </summary>
public static class HeadlessChromium
{
    public static string? Executable { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static void SkipIfAbsent() => Skip.If(Executable is null, "chromium is not installed (apt-get install chromium; tests/run-tests.sh installs it as root)");

    private static readonly string[] Quiet =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
        "--disable-client-side-phishing-detection", "--no-pings", "--disable-breakpad", "--disable-domain-reliability",
        "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,SpellCheck,AutofillServerCommunication",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,900", "--hide-scrollbars", "--virtual-time-budget=5000",
    ];

    /// <summary>The DOM after the page loaded (scripts the page may run have run).</summary>
    public static string DumpDom(string htmlFile, string? netLog = null) =>
        Run([.. netLog is null ? [] : new[] { $"--log-net-log={netLog}" }, "--dump-dom", new Uri(htmlFile).AbsoluteUri]);

    public static void Screenshot(string htmlFile, string png, int height)
    {
        Run([$"--screenshot={png}", $"--window-size=1280,{height}", new Uri(htmlFile).AbsoluteUri]);
        Assert.True(File.Exists(png), $"chromium wrote no {png}");
    }

    /// <summary>
    /// URLs of the requests the page itself started (NetLog URL_REQUEST_START_JOB events whose network isolation key is
    /// the file:// page); the browser's own background requests have another key. A request a Content-Security-Policy
    /// blocks never reaches the network stack and is not listed.
    /// </summary>
    public static List<string> PageRequests(string netLogFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(netLogFile));
        var startJob = doc.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var urls = new List<string>();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.GetProperty("type").GetInt32() != startJob || !e.TryGetProperty("params", out var p)) continue;
            if (p.TryGetProperty("network_isolation_key", out var key) && key.GetString()!.Contains("file://", StringComparison.Ordinal))
                urls.Add(p.GetProperty("url").GetString()!);
        }
        return urls;
    }

    private static string Run(string[] args)
    {
        using var profile = new TempDir();
        var psi = new ProcessStartInfo(Executable!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Quiet) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add($"--user-data-dir={profile.Path}");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 120 s");
        }
        Assert.True(p.ExitCode == 0, $"chromium exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
