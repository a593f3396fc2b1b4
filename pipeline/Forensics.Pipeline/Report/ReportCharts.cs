using System.Globalization;
using Forensics.Pipeline.Query;
using ScottPlot;

namespace Forensics.Pipeline.Report;

/// <summary>
/// The report's charts, drawn by ScottPlot (SkiaSharp's SVG canvas writes the SVG; text it draws is XML-escaped
/// there) and passed through <see cref="InlineSvg"/> before they enter the page. Times are UTC, as in the case.
/// </summary>
public static class ReportCharts
{
    public const int Width = 1100;
    public const int Height = 340;

    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>Events per bucket, one stacked series per format and host.</summary>
    public static string EventsOverTime(QueryResult r) =>
        StackedBars(r, "events", "Events over time per source and host (UTC)", "events per bucket");

    /// <summary>Failed SSH authentications per hour, stacked by the top source IPs and "other".</summary>
    public static string SshFailures(QueryResult r) =>
        StackedBars(r, "failures", "Failed SSH authentications per hour, by source IP (UTC)", "failures per hour");

    private static string StackedBars(QueryResult r, string valueColumn, string title, string yLabel)
    {
        int bucketCol = ReportData.Column(r, "bucket"), widthCol = ReportData.Column(r, "bucket_seconds"),
            seriesCol = ReportData.Column(r, "series"), valueCol = ReportData.Column(r, valueColumn);
        var plot = NewPlot(title);
        plot.YLabel(yLabel);
        var series = r.Rows.Select(row => (string)row[seriesCol]!).Distinct().Order(StringComparer.Ordinal).ToList();
        var colors = series.Select((s, i) => s == "other" ? Colors.Gray : Palette.GetColor(i)).ToList();
        var stackTop = new Dictionary<DateTime, double>();
        var bars = new List<Bar>();
        foreach (var row in r.Rows.OrderBy(row => series.IndexOf((string)row[seriesCol]!)))
        {
            var bucket = (DateTime)row[bucketCol]!;
            double widthDays = Convert.ToDouble(row[widthCol], CultureInfo.InvariantCulture) / 86400;
            double value = Convert.ToDouble(row[valueCol], CultureInfo.InvariantCulture);
            double bottom = stackTop.GetValueOrDefault(bucket);
            stackTop[bucket] = bottom + value;
            bars.Add(new Bar
            {
                Position = bucket.ToOADate() + widthDays / 2, Size = widthDays * 0.9, ValueBase = bottom, Value = bottom + value,
                FillColor = colors[series.IndexOf((string)row[seriesCol]!)], LineWidth = 0,
            });
        }
        if (bars.Count > 0) plot.Add.Bars(bars);
        UtcTimeAxis(plot);
        plot.Axes.Margins(bottom: 0);
        Legend(plot, series.Select((s, i) => (s, colors[i])));
        return Render(plot, bars.Count == 0 ? "no data" : null);
    }

    /// <summary>
    /// Login sessions as horizontal bars on one time axis, one lane per kind of evidence (wtmp, sshd). A session
    /// shorter than a pixel is drawn a few pixels wide so it stays visible on a case spanning weeks.
    /// </summary>
    public static string LoginSessions(QueryResult r)
    {
        int laneCol = ReportData.Column(r, "lane"), startCol = ReportData.Column(r, "start_ts"), endCol = ReportData.Column(r, "end_ts"),
            openCol = ReportData.Column(r, "open_ended");
        var plot = NewPlot("Login sessions: wtmp sessions and sshd logins on one time axis (UTC)");
        var lanes = r.Rows.Select(row => (string)row[laneCol]!).Distinct().Order(StringComparer.Ordinal).ToList();
        var starts = r.Rows.Select(row => ((DateTime)row[startCol]!).ToOADate()).ToList();
        var ends = r.Rows.Select(row => row[endCol] is DateTime e ? e.ToOADate() : (double?)null).ToList();
        double min = starts.Count == 0 ? 0 : starts.Min(), max = starts.Count == 0 ? 1 : Math.Max(starts.Max(), ends.Max() ?? starts.Max());
        double minWidth = Math.Max((max - min) / 300, 1.0 / 86400);
        var bars = new List<Bar>();
        for (int i = 0; i < r.Rows.Count; i++)
        {
            int lane = lanes.IndexOf((string)r.Rows[i][laneCol]!);
            double start = starts[i], end = Math.Max(ends[i] ?? start, start + minWidth);
            bool open = r.Rows[i][openCol] is true;
            bars.Add(new Bar
            {
                Position = lane, Size = 0.6, ValueBase = start, Value = end,
                FillColor = open ? Palette.GetColor(lane).WithAlpha(0.35) : Palette.GetColor(lane), LineWidth = 0,
            });
        }
        if (bars.Count > 0)
        {
            var plottable = plot.Add.Bars(bars);
            plottable.Horizontal = true;
        }
        UtcTimeAxis(plot);
        plot.Axes.Left.SetTicks(lanes.Select((_, i) => (double)i).ToArray(), lanes.ToArray());
        plot.Axes.SetLimitsY(-0.7, Math.Max(lanes.Count, 1) - 0.3);
        Legend(plot, lanes.Select((l, i) => (l, Palette.GetColor(i))).Append(("still open at the case's last event", Colors.Gray.WithAlpha(0.35))));
        return Render(plot, bars.Count == 0 ? "no login sessions" : null, Height - 80);
    }

    /// <summary>
    /// Every event in the window around one service kill, one lane per format (every source on one axis), the
    /// kill at 0 s.
    /// </summary>
    public static string AroundKill(string unit, DateTime killTs, QueryResult r)
    {
        int offsetCol = ReportData.Column(r, "offset_seconds"), formatCol = ReportData.Column(r, "format"), eventCol = ReportData.Column(r, "event");
        var plot = NewPlot($"{unit} killed at {killTs.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} UTC: every source, seconds from the kill");
        plot.XLabel("seconds from the kill");
        var lanes = r.Rows.Select(row => (string)row[formatCol]!).Distinct().Order(StringComparer.Ordinal).ToList();
        var families = r.Rows.Select(row => Family((string?)row[eventCol])).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var family in families)
        {
            var points = r.Rows.Where(row => Family((string?)row[eventCol]) == family).ToList();
            var xs = points.Select(row => Convert.ToDouble(row[offsetCol], CultureInfo.InvariantCulture)).ToArray();
            var ys = points.Select(row => (double)lanes.IndexOf((string)row[formatCol]!)).ToArray();
            var scatter = plot.Add.ScatterPoints(xs, ys, Palette.GetColor(families.IndexOf(family)));
            scatter.MarkerSize = 9;
        }
        var kill = plot.Add.VerticalLine(0, 2, Colors.Red);
        kill.LinePattern = LinePattern.Dashed;
        plot.Axes.Left.SetTicks(lanes.Select((_, i) => (double)i).ToArray(), lanes.ToArray());
        plot.Axes.SetLimitsY(-0.7, Math.Max(lanes.Count, 1) - 0.3);
        double window = TimeText.ParseDuration(ReportData.KillWindow).TotalSeconds;
        plot.Axes.SetLimitsX(-window, window);
        Legend(plot, families.Select((f, i) => (f, Palette.GetColor(i))).Append(("the kill (0 s)", Colors.Red)));
        return Render(plot, r.Rows.Count == 0 ? "no events" : null, Height - 60);
    }

    /// <summary>A time axis labelled as the rest of the tool writes times (ISO dates, 24-hour clock), whatever the culture.</summary>
    private static void UtcTimeAxis(Plot plot)
    {
        var axis = plot.Axes.DateTimeTicksBottom();
        if (axis.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic ticks)
            ticks.LabelFormatter = t => t.TimeOfDay == TimeSpan.Zero
                ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : t.ToString("yyyy-MM-dd\nHH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>ssh, pam, systemd, http ...: the event kind's family colours a point.</summary>
    private static string Family(string? kind) => kind is null ? "?" : kind.Split('.', 2)[0];

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        plot.Font.Set("DejaVu Sans");
        return plot;
    }

    private static void Legend(Plot plot, IEnumerable<(string Label, Color Color)> items)
    {
        foreach (var (label, color) in items)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color });
        plot.Legend.FontSize = 11;
        plot.ShowLegend(Edge.Right);
    }

    private static string Render(Plot plot, string? emptyNote, int height = Height)
    {
        if (emptyNote is not null)
        {
            var note = plot.Add.Text(emptyNote, 0, 0);
            note.LabelFontSize = 14;
        }
        return InlineSvg.Clean(plot.GetSvgXml(Width, height));
    }
}
