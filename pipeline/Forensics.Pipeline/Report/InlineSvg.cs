using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Forensics.Pipeline.Report;

/// <summary>
/// Turns a chart library's SVG document into an element that can sit inside the report: only drawing elements
/// and attributes are kept (no script, no event handler, no reference outside the document), the fixed size
/// becomes a viewBox so the chart scales to the page, and text positions are simplified.
/// The chart text includes evidence (host names, addresses, unit names); SkiaSharp's SVG canvas escapes it as XML,
/// and parsing the document here proves it is well-formed before it enters the page.
/// </summary>
public static class InlineSvg
{
    private static readonly HashSet<string> DrawingElements = new(StringComparer.Ordinal)
    {
        "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
        "clipPath", "defs", "linearGradient", "radialGradient", "stop", "title", "desc",
    };

    public static string Clean(string svgXml)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        XDocument doc;
        using (var reader = XmlReader.Create(new StringReader(svgXml), settings)) doc = XDocument.Load(reader);
        var root = doc.Root ?? throw new InvalidDataException("the chart SVG has no root element");
        foreach (var element in root.DescendantsAndSelf().ToList())
        {
            if (!DrawingElements.Contains(element.Name.LocalName)) { element.Remove(); continue; }
            foreach (var attribute in element.Attributes().ToList())
                if (!Allowed(attribute)) attribute.Remove();
            if (element.Name.LocalName == "text") FirstPositionOnly(element);
        }
        double width = Number(root.Attribute("width")), height = Number(root.Attribute("height"));
        root.SetAttributeValue("width", null);
        root.SetAttributeValue("height", null);
        root.SetAttributeValue("viewBox", string.Create(CultureInfo.InvariantCulture, $"0 0 {width} {height}"));
        root.SetAttributeValue("class", "chart");
        root.SetAttributeValue("role", "img");
        return root.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>
    /// No event handlers, no links or url() references except to the document's own ids (clip paths), no style
    /// attribute (the page's Content-Security-Policy forbids inline styles outside its one hashed block).
    /// </summary>
    private static bool Allowed(XAttribute a)
    {
        var name = a.Name.LocalName;
        if (a.IsNamespaceDeclaration) return true;
        if (name.StartsWith("on", StringComparison.OrdinalIgnoreCase) || name == "style") return false;
        if (name == "href") return a.Value.StartsWith('#');
        int url = a.Value.IndexOf("url(", StringComparison.OrdinalIgnoreCase);
        return url < 0 || a.Value.AsSpan(url + 4).TrimStart().StartsWith("#");
    }

    /// <summary>
    /// Skia writes one x (and y) per glyph, measured with the fonts of the machine that drew the chart; the page
    /// is read elsewhere. The first position anchors the text and the browser spaces its own glyphs.
    /// </summary>
    private static void FirstPositionOnly(XElement text)
    {
        foreach (var axis in new[] { "x", "y" })
            if (text.Attribute(axis) is { } a)
                a.Value = a.Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "0";
    }

    private static double Number(XAttribute? a) =>
        a is not null && double.TryParse(a.Value.Replace("px", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
