using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// The one way evidence files on disk are opened: read-only and, where the kernel allows it, with
/// <c>O_NOATIME</c>, so reading does not change the file's access time (a fact an analyst may rely on: when
/// was this log last read on the machine?). open(2): <c>O_NOATIME</c> is allowed when the caller owns the file
/// or has <c>CAP_FOWNER</c>; otherwise it fails with EPERM and the file is opened normally, and the caller is
/// told the atime may have changed (on a <c>relatime</c> mount it changes when it was older than the mtime or a
/// day old). .NET has no flag for it, so the file descriptor comes from libc's <c>open</c>.
/// </summary>
public static partial class EvidenceOpen
{
    // asm-generic/fcntl.h (x86_64, aarch64, riscv64, arm, s390x; alpha/sparc/parisc/mips differ and get the normal open).
    private const int ORdOnly = 0, ONoAtime = 0x40000, OCloExec = 0x80000;
    private const int PosixFadvSequential = 2;

    private static readonly bool s_flagsKnown = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64 or Architecture.RiscV64 or Architecture.Arm or Architecture.S390x or Architecture.X86;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(int fd, long offset, long length, int advice);

    /// <summary>
    /// Opens <paramref name="path"/> for reading. <paramref name="atimePreserved"/> is true when the open used
    /// <c>O_NOATIME</c> (reads through it leave the access time alone). Errors are .NET's usual
    /// <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public static FileStream Read(string path, out bool atimePreserved, int bufferSize = 1 << 16)
    {
        if (s_flagsKnown && TryOpenNoAtime(path) is { } handle)
        {
            atimePreserved = true;
            return new FileStream(handle, FileAccess.Read, bufferSize);
        }
        // EPERM (not the owner, no CAP_FOWNER), another OS, or an error the normal open reports in .NET's words.
        atimePreserved = false;
        return new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = bufferSize, Options = FileOptions.SequentialScan });
    }

    /// <summary>Reads a small evidence file (etc/passwd, etc/timezone) through <see cref="Read"/>: at most <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadHead(string path, int maxBytes)
    {
        using var s = Read(path, out _, bufferSize: 0);
        var bytes = new byte[Math.Min(s.Length, maxBytes)];
        s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        return bytes;
    }

    private static SafeFileHandle? TryOpenNoAtime(string path)
    {
        int fd;
        try { fd = Open(path, ORdOnly | ONoAtime | OCloExec); }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException) { return null; }
        // EPERM is the expected refusal; anything else (ENOENT, EACCES) is left to the normal open to report.
        if (fd < 0) return null;
        _ = Fadvise(fd, 0, 0, PosixFadvSequential); // what FileOptions.SequentialScan does; advice only
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
