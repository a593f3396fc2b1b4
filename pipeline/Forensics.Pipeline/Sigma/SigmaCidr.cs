using System.Net;
using System.Net.Sockets;
using DuckDB.NET.Data;

namespace Forensics.Pipeline.Sigma;

/// <summary>
/// The <c>cidr</c> modifier (IPv4 and IPv6) as a DuckDB scalar function. DuckDB's own <c>inet</c> type lives in an
/// extension that the read-only sessions may not load (autoload is off), and IPv6 text (compressed zeros, mapped
/// IPv4) cannot be compared as strings; <see cref="IPAddress"/> parses both.
/// </summary>
public static class SigmaCidr
{
    public static void Register(DuckDBConnection connection) =>
        connection.RegisterScalarFunction<string, string, bool>(SigmaCompiler.CidrFunction, (readers, writer, rows) =>
        {
            for (ulong i = 0; i < rows; i++)
            {
                bool inside = readers[0].IsValid(i) && readers[1].IsValid(i) && Contains(readers[0].GetValue<string>(i), readers[1].GetValue<string>(i));
                writer.WriteValue(inside, i);
            }
        });

    /// <summary>Whether <paramref name="address"/> lies in <paramref name="network"/> (a.b.c.d/n, x::/n, or a single address).</summary>
    public static bool Contains(string address, string network)
    {
        var slash = network.IndexOf('/');
        if (!IPAddress.TryParse(address.Trim(), out var ip) || !IPAddress.TryParse(slash < 0 ? network : network[..slash], out var net)) return false;
        if (ip.IsIPv4MappedToIPv6 && net.AddressFamily == AddressFamily.InterNetwork) ip = ip.MapToIPv4();
        if (ip.AddressFamily != net.AddressFamily) return false;
        var a = ip.GetAddressBytes();
        var b = net.GetAddressBytes();
        int bits = slash < 0 ? a.Length * 8 : int.Parse(network[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }
}
