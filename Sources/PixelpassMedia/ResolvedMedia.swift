import PixelpassPortal

/// Where the audio comes from.
public enum AudioPlan: Sendable, Equatable {
    /// `audio` is off: video only.
    case none
    /// A 440 Hz tone, for the test sources.
    case testTone
    /// The default sink's monitor source, read with `pulsesrc device=…`
    /// (a plain PulseAudio server, or no `pipewiresrc`).
    case systemMonitor(device: String)
    /// The default sink's monitor captured natively on PipeWire:
    /// `pipewiresrc target-object=<sink>` with `stream.capture.sink=true`.
    case sinkMonitor(sink: String)
    /// One application's output only: its streams are linked into
    /// pixelpass's own null sink (`AppAudioRouter`), whose monitor is
    /// captured like `sinkMonitor`. `name` is what the user asked for.
    case application(name: String, sink: String)
    /// System audio was wanted but cannot be had; the stream is video only.
    /// `reason` is one phrase for the host's warning.
    case unavailable(reason: String)

    /// Whether the stream carries audio.
    public var isOn: Bool {
        switch self {
        case .testTone, .systemMonitor, .sinkMonitor, .application: return true
        case .none, .unavailable: return false
        }
    }
}

/// What will actually run, decided once by `MediaPipeline.resolve(_:)`
/// before the first viewer arrives.
public struct ResolvedMedia: Sendable {
    /// The encoder element chosen.
    public internal(set) var encoder: String
    /// The encoders tried (or skipped) before `encoder`, with why.
    public internal(set) var skippedEncoders: [(name: String, reason: String)]
    public internal(set) var audio: AudioPlan
    /// The size of the encoded video.
    public internal(set) var captureSize: (width: Int, height: Int)
    /// One line for the host log.
    public internal(set) var summary: String

    var source: SourcePlan
    var videoEncoder: VideoEncoder
    var outputSize: VideoSize { VideoSize(width: captureSize.width, height: captureSize.height) }

    /// Ends what the capture holds open outside the pipeline: the portal's
    /// screen cast (its "sharing" indicator goes away). Call once the
    /// pipeline is stopped for good.
    public func closeCapture() {
        if case let .portal(plan) = source { plan.cast.close() }
    }

    /// Called once, from another thread, if the desktop itself ends the
    /// capture (the portal's "stop sharing"); never for other sources.
    public func onCaptureEnded(_ handler: @escaping @Sendable (String) -> Void) {
        if case let .portal(plan) = source {
            plan.cast.onClosedByDesktop { handler(PortalError.closedByDesktop.description) }
        }
    }
}

struct VideoSize: Sendable, Equatable, CustomStringConvertible {
    var width: Int
    var height: Int

    /// Encoders take 4:2:0 video, which needs even dimensions.
    var roundedDownToEven: VideoSize { VideoSize(width: width & ~1, height: height & ~1) }
    var description: String { "\(width)x\(height)" }
}

/// An area in root-window coordinates, as RandR and xwininfo give it.
struct X11Rect: Sendable, Equatable, CustomStringConvertible {
    var x: Int, y: Int, width: Int, height: Int

    var size: VideoSize { VideoSize(width: width, height: height) }
    /// X geometry syntax, "1920x1080+0+0".
    var description: String {
        "\(width)x\(height)\(x < 0 ? "-" : "+")\(abs(x))\(y < 0 ? "-" : "+")\(abs(y))"
    }
}

/// The capture source after validation, with what the launch string needs.
enum SourcePlan: Sendable, Equatable {
    case test
    case clock
    case busy
    case x11(X11SourcePlan)
    case pipewire(PipeWireSourcePlan)
    case portal(PortalSourcePlan)
}

struct X11SourcePlan: Sendable, Equatable {
    enum Target: Sendable, Equatable {
        case screen
        case monitor(name: String)
        case window(id: UInt64, title: String)
    }

    var display: String
    var target: Target
    /// What is captured, in root-window coordinates.
    var area: X11Rect

    var label: String {
        switch target {
        case .screen: return "x11 \(display) screen \(area)"
        case let .monitor(name): return "x11 \(display) monitor \(name) \(area)"
        case let .window(id, title): return "x11 \(display) window \(X11Window.hex(id)) '\(title)' \(area)"
        }
    }
}

struct PipeWireSourcePlan: Sendable, Equatable {
    var node: UInt32
    var name: String
    /// From the node's format in `pw-dump`; nil when PipeWire does not say.
    var size: VideoSize?

    var label: String { "pipewire node \(node) '\(name)' " + (size.map { "\($0)" } ?? "(size not announced)") }
}

/// A stream the portal granted, read through the portal's own PipeWire remote.
struct PortalSourcePlan: Sendable, Equatable {
    var cast: any PortalCast
    var node: UInt32 { cast.stream.node }
    var size: VideoSize? {
        guard let w = cast.stream.width, let h = cast.stream.height else { return nil }
        return VideoSize(width: w, height: h)
    }

    var label: String { "portal \(cast.stream.kind) (PipeWire node \(node)) " + (size.map { "\($0)" } ?? "(size not announced)") }

    static func == (lhs: PortalSourcePlan, rhs: PortalSourcePlan) -> Bool { lhs.cast === rhs.cast }
}
