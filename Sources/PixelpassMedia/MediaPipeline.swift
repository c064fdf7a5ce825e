import Foundation

/// The host's capture → H.264/AAC → MPEG-TS pipeline, in process.
///
/// `start` builds a fresh GstPipeline and delivers the stream as
/// `MediaChunk`s; `stop` tears it down. It can be started again afterwards.
/// All methods are thread-safe.
public final class MediaPipeline: @unchecked Sendable {
    public let settings: MediaSettings
    private let description: PipelineDescription
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var session: PipelineSession?

    /// Checks the settings and that every GStreamer element the pipeline
    /// needs is installed; throws `MediaError.missingElement` naming the
    /// Debian package otherwise.
    public init(settings: MediaSettings) throws {
        GStreamer.initialize()
        self.description = try PipelineDescription(settings: settings, hasElement: GStreamer.hasElement)
        self.settings = settings
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
    public func start(onChunk: @escaping @Sendable (MediaChunk) -> Void,
                      onFailure: @escaping @Sendable (MediaError) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        if let session, session.isRunning {
            throw MediaError.alreadyRunning
        }
        session = try PipelineSession.launch(description: description.launchString,
                                             onChunk: onChunk, onFailure: onFailure)
    }

    /// Stops the pipeline and returns once no callback runs any more. Safe
    /// to call twice, or when not started. May be called from inside
    /// `onChunk` or `onFailure`: then it returns without waiting, and no
    /// further callbacks are delivered.
    public func stop() {
        lock.lock()
        let current = session
        lock.unlock()
        current?.shutdown()
        lock.lock()
        if session === current {
            session = nil
        }
        lock.unlock()
    }

    /// Asks the encoder for an IDR frame now, so a viewer that just joined
    /// does not wait for the next scheduled one. Does nothing when stopped.
    public func requestKeyframe() {
        lock.lock()
        let current = session
        lock.unlock()
        current?.requestKeyframe()
    }
}
