import Foundation
import XCTest
import PixelpassMedia

/// Looks at a recorded stream the way a player would: join at the first
/// keyframe, then ffprobe and ffmpeg (Debian package `ffmpeg`).
enum StreamChecks {
    /// What a viewer joining at the first keyframe receives.
    static func joinAtFirstKeyframe(_ arrivals: [ChunkRecorder.Arrival]) -> [UInt8]? {
        guard let start = arrivals.firstIndex(where: \.chunk.isKeyframe) else { return nil }
        return arrivals[start].chunk.programTables + arrivals[start...].flatMap(\.chunk.bytes)
    }

    /// `stop()` cuts the stream wherever the muxer was, which can leave the
    /// last PES (often an AAC frame) truncated, and ffmpeg rightly reports
    /// that. mpegtsmux writes each PES in consecutive packets, so everything
    /// before the last packet that starts a PES is complete: end there.
    static func endingAtCompletePES(_ stream: [UInt8]) -> [UInt8] {
        let packets = stream.count / 188
        for index in stride(from: packets - 1, to: 0, by: -1) {
            let p = index * 188
            let unitStart = stream[p + 1] & 0x40 != 0
            let adaptation = stream[p + 3] & 0x20 != 0
            let payload = p + 4 + (adaptation ? 1 + Int(stream[p + 4]) : 0)
            if unitStart, payload + 3 <= p + 188,
               stream[payload] == 0, stream[payload + 1] == 0, stream[payload + 2] == 1 {
                return Array(stream[..<p])
            }
        }
        return stream
    }

    static func writeTemporary(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("pixelpass-media-\(UUID().uuidString).ts")
        try Data(bytes).write(to: url)
        return url
    }

    /// ffprobe's `-show_streams` as one dictionary per stream.
    static func probeStreams(_ file: URL) throws -> [[String: String]] {
        let result = try run("ffprobe", ["-v", "error", "-show_streams", file.path])
        XCTAssertEqual(result.errors, "", "ffprobe reported errors")
        var streams: [[String: String]] = []
        for line in result.output.split(separator: "\n") {
            if line == "[STREAM]" {
                streams.append([:])
            } else if let equals = line.firstIndex(of: "="), !streams.isEmpty {
                streams[streams.count - 1][String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        return streams
    }

    /// The streams of what a viewer joining at the first keyframe gets.
    static func probeJoined(_ arrivals: [ChunkRecorder.Arrival]) throws -> [[String: String]] {
        let joined = try XCTUnwrap(joinAtFirstKeyframe(arrivals), "no keyframe in \(arrivals.count) chunks")
        let file = try writeTemporary(endingAtCompletePES(joined))
        defer { try? FileManager.default.removeItem(at: file) }
        return try probeStreams(file)
    }

    /// ffmpeg's volumedetect mean volume in dB of the audio a joining
    /// viewer gets; about -91 dB is digital silence.
    static func meanVolume(_ arrivals: [ChunkRecorder.Arrival]) throws -> Double {
        let joined = try XCTUnwrap(joinAtFirstKeyframe(arrivals), "no keyframe in \(arrivals.count) chunks")
        let file = try writeTemporary(endingAtCompletePES(joined))
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run("ffmpeg", ["-nostdin", "-v", "info", "-i", file.path, "-vn", "-af", "volumedetect", "-f", "null", "-"])
        guard let line = result.errors.split(separator: "\n").first(where: { $0.contains("mean_volume:") }),
              let value = line.split(separator: " ").dropLast().last.flatMap({ Double($0) }) else {
            XCTFail("ffmpeg volumedetect printed no mean volume: \(result.errors.suffix(300))")
            return -200
        }
        return value
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        guard let path = ["/usr/bin", "/usr/local/bin", "/bin"].map({ "\($0)/\(tool)" })
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("\(tool) is not installed; install the Debian package 'ffmpeg' to run this test")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
