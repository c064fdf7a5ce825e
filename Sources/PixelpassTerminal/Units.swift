/// Numbers as people read them in a status line.
public enum Units {
    /// 4_200_000 → "4.2 Mbit/s"; 950_000 → "950 kbit/s".
    public static func bitrate(_ bitsPerSecond: Double) -> String {
        if bitsPerSecond >= 1_000_000 { return String(format: "%.1f Mbit/s", bitsPerSecond / 1_000_000) }
        return String(format: "%.0f kbit/s", bitsPerSecond / 1000)
    }

    /// 65 → "1:05"; 3725 → "1:02:05".
    public static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let (hours, minutes, secs) = (total / 3600, (total / 60) % 60, total % 60)
        if hours > 0 { return String(format: "%d:%02d:%02d", hours, minutes, secs) }
        return String(format: "%d:%02d", minutes, secs)
    }

    /// Round-trip time: "0.4 ms", "23 ms".
    public static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f ms", value) : String(format: "%.0f ms", value)
    }

    /// How far behind a viewer is, in seconds of video at the current rate.
    public static func lag(bytes: Int, bitsPerSecond: Double) -> String {
        guard bytes > 0, bitsPerSecond > 0 else { return "0.0 s" }
        return String(format: "%.1f s", Double(bytes * 8) / bitsPerSecond)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
