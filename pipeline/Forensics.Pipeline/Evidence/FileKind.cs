using System.Runtime.InteropServices;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// What kind of file system object a path is, without opening it: opening a FIFO (postfix's <c>pickup</c>) for
/// reading blocks until a writer appears, and a character device (<c>/dev/zero</c>) never ends. .NET's
/// <see cref="FileAttributes"/> do not tell them from regular files on Linux, so this asks the kernel with
/// <c>statx(2)</c> (glibc 2.28+), whose <c>struct statx</c> has the same layout on every architecture
/// (<c>stx_mode</c> is the 16-bit field at byte 28).
/// </summary>
public static partial class FileKind
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1;
    private const int ModeOffset = 28;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);

    /// <summary>A description of a special file ("FIFO (named pipe)", "socket", …), or null for a regular file, folder, link or on error.</summary>
    public static string? Special(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0) return null;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        int mode = BitConverter.ToUInt16(buffer[ModeOffset..]);
        return (mode & 0xF000) switch
        {
            0x1000 => "FIFO (named pipe)",
            0xC000 => "socket",
            0x2000 => "character device",
            0x6000 => "block device",
            _ => null,
        };
    }
}
