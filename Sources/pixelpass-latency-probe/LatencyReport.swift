import Foundation
import PixelpassMedia

/// What the probe saw, frame by frame; `LatencyReport` turns it into numbers.
/// All times are CLOCK_MONOTONIC microseconds.
struct ProbeRecording {
    struct Frame {
        /// The code painted at capture; nil when it could not be read.
        var code: ClockCode?
        /// When the frame came out of the decoder.
        var decodedMicros: UInt64
        /// When its access unit went into the decoder, if known.
        var decoderInputMicros: UInt64?
        /// Bytes received from the HTTP source up to this frame.
        var bytesSoFar: UInt64
    }

    /// When the probe began its HTTP request.
    var startMicros: UInt64
    /// When the caller started the viewer, on the same clock, if given.
    var viewerStartMicros: UInt64?
    var firstByteMicros: UInt64?
    var endMicros: UInt64 = 0
    var totalBytes: UInt64 = 0
    var frames: [Frame] = []
}

/// The summary the probe prints: latency percentiles, time to first frame,
/// frames decoded vs produced, bitrate and a per-window table for drift.
struct LatencyReport {
    struct Percentiles: Equatable {
        var count: Int
        var min: Double, p50: Double, p95: Double, p99: Double, max: Double, mean: Double

        /// Nearest-rank percentiles; nil for no samples.
        init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            func rank(_ p: Double) -> Double {
                let index = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
                return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
            }
            count = sorted.count
            min = sorted[0]
            max = sorted[sorted.count - 1]
            p50 = rank(50)
            p95 = rank(95)
            p99 = rank(99)
            mean = sorted.reduce(0, +) / Double(sorted.count)
        }
    }

    struct Window: Equatable {
        /// Seconds since the first decoded frame.
        var start: Double
        var latency: Percentiles?
        var megabitsPerSecond: Double
    }

    var latency: Percentiles?
    /// Decoder input → decoded picture: the probe's own decode time.
    var decodeTime: Percentiles?
    var timeToFirstByte: Double?
    var timeToFirstFrame: Double?
    var timeToFirstFrameFromViewerStart: Double?
    var framesDecoded: Int
    /// Frames with a readable code that had not been seen before.
    var framesRead: Int
    var unreadable: Int
    /// The first and last frame counters read; the host counts from 0 when
    /// its pipeline starts, so `firstCounter` 0 means nothing was skipped
    /// at the start.
    var firstCounter: UInt32?
    var lastCounter: UInt32?
    /// Frames the host produced between the first and last frame read.
    var framesProduced: Int
    /// Decoded pictures showing a code seen just before (a stale picture).
    var repeated: Int
    /// Codes older than one already seen (should never happen).
    var outOfOrder: Int
    var bytes: UInt64
    var megabitsPerSecond: Double
    /// Seconds from the first to the last decoded frame.
    var measuredSeconds: Double
    var windows: [Window]
    /// Least-squares slope of latency over time, in ms per minute.
    var driftMillisecondsPerMinute: Double?

    init(_ recording: ProbeRecording, windowSeconds: Double) {
        let frames = recording.frames
        let allRead = frames.compactMap { frame in frame.code.map { (code: $0, frame: frame) } }
        // A decoded picture whose code was already seen is the old picture
        // again (the encoder skipped every block, or the stream went back):
        // it says nothing new about latency, so it is counted, not measured.
        var read: [(code: ClockCode, frame: ProbeRecording.Frame)] = []
        var repeated = 0, backwards = 0
        for entry in allRead {
            if let newest = read.last?.code.frame, entry.code.frame <= newest {
                if entry.code.frame == newest { repeated += 1 } else { backwards += 1 }
                continue
            }
            read.append(entry)
        }
        self.repeated = repeated
        outOfOrder = backwards
        func milliseconds(_ from: UInt64, _ to: UInt64) -> Double {
            (Double(to) - Double(from)) / 1000
        }
        latency = Percentiles(read.map { milliseconds($0.code.timeMicros, $0.frame.decodedMicros) })
        decodeTime = Percentiles(frames.compactMap { frame in
            frame.decoderInputMicros.map { milliseconds($0, frame.decodedMicros) }
        })
        timeToFirstByte = recording.firstByteMicros.map { milliseconds(recording.startMicros, $0) }
        timeToFirstFrame = frames.first.map { milliseconds(recording.startMicros, $0.decodedMicros) }
        if let viewerStart = recording.viewerStartMicros, let first = frames.first {
            timeToFirstFrameFromViewerStart = milliseconds(viewerStart, first.decodedMicros)
        }
        framesDecoded = frames.count
        framesRead = read.count
        unreadable = frames.count - allRead.count
        firstCounter = read.first?.code.frame
        lastCounter = read.last?.code.frame
        if let first = firstCounter, let last = lastCounter, last >= first {
            framesProduced = Int(last - first) + 1
        } else {
            framesProduced = 0
        }
        bytes = recording.totalBytes
        let firstByte = recording.firstByteMicros ?? recording.startMicros
        let span = max(0.001, Double(recording.endMicros - min(recording.endMicros, firstByte)) / 1_000_000)
        megabitsPerSecond = Double(recording.totalBytes) * 8 / span / 1_000_000

        guard let origin = frames.first?.decodedMicros, let last = frames.last?.decodedMicros else {
            measuredSeconds = 0
            windows = []
            return
        }
        measuredSeconds = Double(last - origin) / 1_000_000
        let fresh = Set(read.map(\.frame.decodedMicros))
        windows = Self.windows(frames, fresh: fresh, origin: origin, width: windowSeconds)
        driftMillisecondsPerMinute = Self.slope(read.map {
            (Double($0.frame.decodedMicros - origin) / 60_000_000, milliseconds($0.code.timeMicros, $0.frame.decodedMicros))
        })
    }

    /// Frames grouped by decode time; latency from the `fresh` ones (by
    /// decode time), bitrate from the byte counts.
    private static func windows(_ frames: [ProbeRecording.Frame], fresh: Set<UInt64>, origin: UInt64,
                                width: Double) -> [Window] {
        let widthMicros = UInt64(width * 1_000_000)
        var groups: [Int: [ProbeRecording.Frame]] = [:]
        for frame in frames {
            groups[Int((frame.decodedMicros - origin) / widthMicros), default: []].append(frame)
        }
        var previousBytes = frames.first?.bytesSoFar ?? 0
        let end = Double((frames.last?.decodedMicros ?? origin) - origin) / 1_000_000
        return groups.keys.sorted().map { index in
            let group = groups[index]!
            let latencies = group.compactMap { frame in
                frame.code.flatMap { fresh.contains(frame.decodedMicros) ? $0 : nil }.map { (Double(frame.decodedMicros) - Double($0.timeMicros)) / 1000 }
            }
            let lastBytes = group.last?.bytesSoFar ?? previousBytes
            // The last window may be cut short by the end of the run.
            let seconds = max(0.001, min(width, end - Double(index) * width))
            let megabits = Double(lastBytes - min(lastBytes, previousBytes)) * 8 / seconds / 1_000_000
            previousBytes = lastBytes
            return Window(start: Double(index) * width, latency: Percentiles(latencies), megabitsPerSecond: megabits)
        }
    }

    /// Ordinary least squares slope of y over x; nil for fewer than 2 points
    /// or no spread in x.
    static func slope(_ points: [(x: Double, y: Double)]) -> Double? {
        guard points.count >= 2 else { return nil }
        let n = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.x } / n
        let meanY = points.reduce(0) { $0 + $1.y } / n
        var covariance = 0.0, variance = 0.0
        for point in points {
            covariance += (point.x - meanX) * (point.y - meanY)
            variance += (point.x - meanX) * (point.x - meanX)
        }
        return variance > 0 ? covariance / variance : nil
    }

    // MARK: - Output

    var text: String {
        func ms(_ value: Double?) -> String {
            value.map { String(format: "%.1f ms", $0) } ?? "n/a"
        }
        var lines: [String] = []
        if let latency {
            lines.append(String(format: "latency capture→decoded: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  min %.1f  mean %.1f ms (%d frames)",
                                latency.p50, latency.p95, latency.p99, latency.max, latency.min, latency.mean, latency.count))
        } else {
            lines.append("latency capture→decoded: no readable frame")
        }
        if let decodeTime {
            lines.append(String(format: "probe decode (decoder in→out): p50 %.1f  p95 %.1f  max %.1f ms",
                                decodeTime.p50, decodeTime.p95, decodeTime.max))
        }
        var first = "time to first frame: \(ms(timeToFirstFrame)) from request"
        if let fromViewer = timeToFirstFrameFromViewerStart {
            first += ", \(ms(fromViewer)) from viewer start"
        }
        first += " (first byte \(ms(timeToFirstByte)) from request)"
        lines.append(first)
        let counters = firstCounter.map { "counters \($0)…\(lastCounter ?? $0)" } ?? "no counters"
        lines.append("frames: \(framesRead) read of \(framesProduced) produced (\(counters)), \(framesDecoded) decoded, \(unreadable) unreadable, \(repeated) repeated, \(outOfOrder) out of order")
        lines.append(String(format: "received: %llu bytes, %.2f Mbit/s over %.1f s", bytes, megabitsPerSecond, measuredSeconds))
        if let driftMillisecondsPerMinute {
            lines.append(String(format: "drift: %+.2f ms per minute (least squares)", driftMillisecondsPerMinute))
        }
        if windows.count > 1 {
            lines.append("per window: start s, p50 ms, p95 ms, frames, Mbit/s")
            for window in windows {
                lines.append(String(format: "  %7.0f  %7.1f  %7.1f  %5d  %6.2f", window.start, window.latency?.p50 ?? .nan,
                                    window.latency?.p95 ?? .nan, window.latency?.count ?? 0, window.megabitsPerSecond))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object; milliseconds and seconds as numbers, null when unknown.
    func json(url: String, windowSeconds: Double) -> String {
        func percentiles(_ value: Percentiles?) -> Any {
            guard let value else { return NSNull() }
            return ["count": value.count, "min": round(value.min), "p50": round(value.p50), "p95": round(value.p95),
                    "p99": round(value.p99), "max": round(value.max), "mean": round(value.mean)] as [String: Any]
        }
        func optional(_ value: Double?) -> Any { value.map(round) ?? NSNull() }
        func optional(_ value: UInt32?) -> Any { value.map { Int($0) } ?? NSNull() }
        let object: [String: Any] = [
            "url": url,
            "latency_ms": percentiles(latency),
            "decode_ms": percentiles(decodeTime),
            "time_to_first_byte_ms": optional(timeToFirstByte),
            "time_to_first_frame_ms": optional(timeToFirstFrame),
            "time_to_first_frame_from_viewer_start_ms": optional(timeToFirstFrameFromViewerStart),
            "frames_decoded": framesDecoded,
            "frames_read": framesRead,
            "frames_unreadable": unreadable,
            "frames_produced": framesProduced,
            "frames_out_of_order": outOfOrder,
            "frames_repeated": repeated,
            "first_counter": optional(firstCounter),
            "last_counter": optional(lastCounter),
            "bytes": bytes,
            "mbit_per_s": round(megabitsPerSecond),
            "measured_s": round(measuredSeconds),
            "drift_ms_per_min": optional(driftMillisecondsPerMinute),
            "window_s": windowSeconds,
            "windows": windows.map { window in
                ["start_s": window.start, "latency_ms": percentiles(window.latency),
                 "mbit_per_s": round(window.megabitsPerSecond)] as [String: Any]
            },
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Three decimals are plenty for milliseconds.
    private func round(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
