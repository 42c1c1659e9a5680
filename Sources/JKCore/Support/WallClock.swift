import Glibc

/// Wall-clock seconds (CLOCK_REALTIME), the unit of error times and maintenance in shared slots,
/// as in mod_jk. Read in one place so tests and logic take `now` as a parameter.
public enum WallClock {
    /// Seconds since the epoch.
    public static func seconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
