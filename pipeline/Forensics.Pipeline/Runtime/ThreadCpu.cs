using System.Runtime.InteropServices;

namespace Forensics.Pipeline.Runtime;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, a vDSO call), in
/// <see cref="TimeSpan"/> ticks. Stage timings are CPU time, not wall time: on a loaded machine a stage that
/// waits is not charged for it. Callers measure spans with no await inside (an await may change the thread).
/// </summary>
public static partial class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static readonly bool s_available = OperatingSystem.IsLinux();

    public static long Now()
    {
        if (!s_available || ClockGetTime(ClockThreadCpuTime, out var t) != 0) return 0;
        return t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100;
    }
}
