import Foundation
import Synchronization

/// The host's capture → H.264/AAC → MPEG-TS pipeline, in process.
///
/// `start` builds a fresh GstPipeline and delivers the stream as
/// `MediaChunk`s; `stop` tears it down. It can be started again afterwards.
/// All methods are thread-safe.
public final class MediaPipeline: Sendable {
    public let settings: MediaSettings
    /// The source, encoder and audio this pipeline runs.
    public let resolved: ResolvedMedia
    private let environment: MediaEnvironment
    /// Held for the whole of `start`, so two starts cannot race.
    private let state = Mutex(State())

    private struct State {
        var launchDescription = ""
        var session: PipelineSession?
    }

    /// The gst-launch description of the last run, for `-v` logs.
    public var launchDescription: String {
        state.withLock { $0.launchDescription }
    }

    /// Resolves `settings` (see `resolve(_:)`) and checks that every
    /// GStreamer element the pipeline needs is installed.
    public convenience init(settings: MediaSettings) throws {
        try self.init(settings: settings, resolved: MediaPipeline.resolve(settings))
    }

    /// A pipeline for what `resolve(settings)` decided earlier, so the host
    /// can log the decision (and fail with exit status 2) before the first
    /// viewer. Throws `MediaError.missingElement` naming the Debian package
    /// when an element is not installed.
    public convenience init(settings: MediaSettings, resolved: ResolvedMedia) throws {
        try self.init(settings: settings, resolved: resolved, environment: .live)
    }

    init(settings: MediaSettings, resolved: ResolvedMedia, environment: MediaEnvironment) throws {
        GStreamer.initialize()
        _ = try PipelineDescription(settings: settings, resolved: resolved, hasElement: environment.hasElement)
        self.settings = settings
        self.resolved = resolved
        self.environment = environment
    }

    deinit {
        stop()
    }

    /// Starts a new pipeline.
    ///
    /// Both callbacks run on GStreamer threads and must only hand the data
    /// over (to a queue, an event loop, an AsyncStream), never block.
    /// `onChunk` is called in stream order from one thread at a time.
    /// `onFailure` is called at most once per start; the pipeline then
    /// produces nothing more and should be stopped.
    ///
    /// An X11 or PipeWire source is checked again first (the window may
    /// have closed, the monitor moved, the node gone since `resolve`); if it
    /// is gone this throws `MediaError.sourceLost`.
    public func start(onChunk: @escaping @Sendable (MediaChunk) -> Void,
                      onFailure: @escaping @Sendable (MediaError) -> Void) throws {
        try state.withLock { (state) throws(any Error) in
            if let session = state.session, session.isRunning {
                throw MediaError.alreadyRunning
            }
            var current = resolved
            current.source = try MediaResolver.refresh(resolved.source, in: environment)
            let description = try PipelineDescription(settings: settings, resolved: current,
                                                      hasElement: environment.hasElement)
            state.launchDescription = description.launchString
            state.session = try PipelineSession.launch(description: description.launchString,
                                                       options: description.sessionOptions,
                                                       onChunk: onChunk, onFailure: onFailure)
        }
    }

    /// Stops the pipeline and returns once no callback runs any more. Safe
    /// to call twice, or when not started. May be called from inside
    /// `onChunk` or `onFailure`: then it returns without waiting, and no
    /// further callbacks are delivered.
    public func stop() {
        // Shut down outside the lock: a callback may call `stop` too.
        let current = state.withLock { $0.session }
        current?.shutdown()
        state.withLock { state in
            if state.session === current {
                state.session = nil
            }
        }
    }

    /// Asks the encoder for an IDR frame now, so a viewer that just joined
    /// does not wait for the next scheduled one. Does nothing when stopped.
    public func requestKeyframe() {
        state.withLock { $0.session }?.requestKeyframe()
    }

    /// Sets the running encoder's target bitrate (kbit/s). Does nothing when stopped.
    public func setVideoBitrate(kbps: Int) {
        state.withLock { $0.session }?.setVideoBitrate(kbps: kbps)
    }

    /// Sets the encoded size and frame rate while running (see
    /// `VideoPicture`). Does nothing when stopped.
    public func setPicture(_ picture: VideoPicture) {
        state.withLock { $0.session }?.setPicture(picture)
    }

    /// The audio's share of the stream (kbit/s), for the host's rate arithmetic.
    public static var audioKbps: Int { PipelineDescription.audioBitrate / 1000 }

    /// The picture the pipeline encodes before any `setPicture`.
    public var nominalPicture: VideoPicture {
        VideoPicture(size: resolved.outputSize, fps: settings.fps)
    }
}

extension MediaPipeline {
    /// Validates the source and picks the encoder and the audio. Throws a
    /// `MediaError` whose description says what exists (the monitors, the
    /// windows, the video nodes, the encoders that work).
    ///
    /// Runs command-line tools (xrandr, xwininfo, pw-dump, pactl) and test
    /// encodes, so it takes from a few tens of milliseconds to about a
    /// second on first use; call it once at start-up, off any event loop.
    /// Thread-safe.
    public static func resolve(_ settings: MediaSettings) throws -> ResolvedMedia {
        GStreamer.initialize()
        return try MediaResolver.resolve(settings, in: .live)
    }
}
