import NIOCore

/// Nanoseconds on the monotonic clock, the unit of QUIC and broadcast timers.
enum MonotonicClock {
    static var now: UInt64 { NIODeadline.now().uptimeNanoseconds }
    static func seconds(_ value: Double) -> UInt64 { UInt64(value * 1_000_000_000) }
}
