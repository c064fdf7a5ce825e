// pixelpass-latency-probe: decodes a pixelpass stream whose host runs
// `--source clock`, reads the capture time painted into each frame and
// reports capture→decoded latency. Used by scripts/bench-latency.
import Foundation
import PixelpassMedia

/// CLOCK_MONOTONIC microseconds at the CLOCK_REALTIME instant `epochNanoseconds`.
func monotonicMicros(atEpochNanoseconds epochNanoseconds: UInt64) -> UInt64 {
    var realtime = timespec()
    clock_gettime(CLOCK_REALTIME, &realtime)
    let monotonicNow = ClockCode.monotonicMicros()
    let realtimeNow = UInt64(realtime.tv_sec) * 1_000_000 + UInt64(realtime.tv_nsec) / 1000
    let ago = realtimeNow - min(realtimeNow, epochNanoseconds / 1000)
    return monotonicNow - min(monotonicNow, ago)
}

func run(_ options: ProbeOptions) throws -> LatencyReport {
    var recording = ProbeRecording(startMicros: ClockCode.monotonicMicros())
    recording.viewerStartMicros = options.sinceEpochNanoseconds.map { monotonicMicros(atEpochNanoseconds: $0) }
    let session = try DecodeSession(options: options)
    recording.startMicros = ClockCode.monotonicMicros()
    try session.start()

    var deadline = recording.startMicros + UInt64(options.firstFrameTimeout * 1_000_000)
    var lastFrameMicros: UInt64?
    let stallLimit: UInt64 = 5_000_000
    loop: while true {
        let now = ClockCode.monotonicMicros()
        if now >= deadline { break }
        if let lastFrameMicros, now - lastFrameMicros > stallLimit {
            FileHandle.standardError.write(Data("pixelpass-latency-probe: no frame for \(stallLimit / 1_000_000) s; stopping early\n".utf8))
            break
        }
        switch session.next(timeout: min(0.5, Double(deadline - now) / 1_000_000)) {
        case let .frame(frame):
            if recording.frames.isEmpty {
                // --seconds counts from the first picture.
                deadline = frame.decodedMicros + UInt64(options.seconds * 1_000_000)
            }
            lastFrameMicros = frame.decodedMicros
            recording.frames.append(frame)
            if options.verbose {
                let code = frame.code.map { "frame \($0.frame) latency \(Double(frame.decodedMicros) / 1000 - Double($0.timeMicros) / 1000) ms" }
                FileHandle.standardError.write(Data("\(frame.decodedMicros) \(code ?? "unreadable")\n".utf8))
            }
        case .timeout:
            continue
        case .ended:
            FileHandle.standardError.write(Data("pixelpass-latency-probe: the stream ended\n".utf8))
            break loop
        case let .failed(message):
            if recording.frames.isEmpty {
                throw ProbeError(message)
            }
            FileHandle.standardError.write(Data("pixelpass-latency-probe: \(message)\n".utf8))
            break loop
        }
    }
    recording.endMicros = ClockCode.monotonicMicros()
    recording.totalBytes = session.receivedBytes
    recording.firstByteMicros = session.firstByteMicros
    if recording.frames.isEmpty {
        throw ProbeError("no frame decoded within \(options.firstFrameTimeout) s (\(recording.totalBytes) bytes received)")
    }
    return LatencyReport(recording, windowSeconds: options.window)
}

let options: ProbeOptions
do {
    options = try ProbeOptions(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
}
do {
    let report = try run(options)
    print(options.json ? report.json(url: options.url, windowSeconds: options.window) : report.text)
    exit(report.framesRead > 0 ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("pixelpass-latency-probe: \(error)\n".utf8))
    exit(1)
}
