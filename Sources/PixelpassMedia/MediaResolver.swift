import Foundation
import PixelpassPortal

/// Everything `resolve` asks the outside world, so tests can replace it.
struct MediaEnvironment: Sendable {
    var variables: [String: String]
    var x11: any X11Inventory
    var pipewire: any PipeWireInventory
    var audio: any SystemAudioInventory
    var encoders: any EncoderProber
    var hasElement: @Sendable (String) -> Bool
    var portal: any PortalCastOpening = LivePortalCastOpener()

    static var live: MediaEnvironment {
        MediaEnvironment(variables: ProcessInfo.processInfo.environment,
                         x11: CommandLineX11Inventory(),
                         pipewire: CommandLinePipeWireInventory(),
                         audio: PactlSystemAudio(),
                         encoders: GStreamerEncoderProber(),
                         hasElement: { GStreamer.hasElement($0) },
                         portal: LivePortalCastOpener())
    }
}

/// Turns settings into what will run: a validated source, an encoder that
/// works here, and an audio plan.
enum MediaResolver {
    static func resolve(_ settings: MediaSettings, in environment: MediaEnvironment) throws -> ResolvedMedia {
        try settings.validate()
        // The encoder first: a portal source opens the desktop's dialog,
        // which should not be shown for a share that cannot start anyway.
        let decision = try EncoderChain.choose(settings.encoder) { encoder in
            environment.encoders.probe(encoder, bitrateKbps: settings.bitrateKbps, keyframeInterval: settings.keyframeInterval)
        }
        let source = try resolveSource(settings.source, in: environment)
        let size = try outputSize(for: source, settings: settings)
        let audio = audioPlan(for: settings, in: environment)
        var resolved = ResolvedMedia(encoder: decision.encoder.name,
                                     skippedEncoders: decision.skipped.map { (name: $0.encoder.name, reason: $0.reason) },
                                     audio: audio,
                                     captureSize: (width: size.width, height: size.height),
                                     summary: "",
                                     source: source,
                                     videoEncoder: decision.encoder)
        resolved.summary = summary(resolved, settings: settings)
        // Every other element must be installed too; say which package if not.
        _ = try PipelineDescription(settings: settings, resolved: resolved, hasElement: environment.hasElement)
        return resolved
    }

    // MARK: - Source

    static func resolveSource(_ source: CaptureSource, in environment: MediaEnvironment) throws -> SourcePlan {
        switch source {
        case .test:
            return .test
        case .clock:
            return .clock
        case .busy:
            return .busy
        case let .x11(capture):
            return .x11(try resolveX11(capture, in: environment))
        case let .pipewire(node):
            return .pipewire(try resolvePipeWire(node: node, in: environment))
        case let .portal(capture):
            return .portal(PortalSourcePlan(cast: try environment.portal.open(capture)))
        }
    }

    static func resolveX11(_ capture: X11Capture, in environment: MediaEnvironment) throws -> X11SourcePlan {
        guard let display = capture.display ?? environment.variables["DISPLAY"], !display.isEmpty else {
            throw MediaError.noDisplay
        }
        let x11 = environment.x11
        switch capture.target {
        case .screen:
            return X11SourcePlan(display: display, target: .screen, area: try x11.screen(display: display))

        case let .monitor(name):
            let monitors = try x11.monitors(display: display)
            let wanted = name.trimmingCharacters(in: .whitespaces)
            guard let monitor = monitors.first(where: { $0.name == wanted })
                ?? monitors.first(where: { $0.name.caseInsensitiveCompare(wanted) == .orderedSame })
            else {
                throw MediaError.noSuchMonitor(name: name, display: display, monitors: monitors.map(\.label))
            }
            return X11SourcePlan(display: display, target: .monitor(name: monitor.name), area: monitor.area)

        case let .windowID(id):
            guard let window = try x11.window(id: id, display: display) else {
                throw MediaError.noSuchWindow(window: X11Window.hex(id), display: display,
                                              windows: try candidateWindows(display: display, in: x11).map(\.label))
            }
            guard window.viewable != false else {
                throw MediaError.windowNotShown(window: window.label, display: display)
            }
            return X11SourcePlan(display: display, target: .window(id: id, title: window.title), area: window.area)

        case let .windowTitle(title):
            let candidates = try candidateWindows(display: display, in: x11)
            let matching = matches(title: title, in: candidates)
            // The tree does not say what is shown; ask about the few matches.
            let shown = try matching.compactMap { candidate -> X11Window? in
                guard let window = try x11.window(id: candidate.id, display: display), window.viewable != false else {
                    return nil
                }
                return window
            }
            switch shown.count {
            case 1:
                let window = shown[0]
                return X11SourcePlan(display: display, target: .window(id: window.id, title: window.title), area: window.area)
            case 0:
                throw MediaError.noMatchingWindow(title: title, display: display, windows: candidates.map(\.label))
            default:
                throw MediaError.ambiguousWindow(title: title, display: display, matches: shown.map(\.label))
            }
        }
    }

    /// Case-insensitive substring match, in listing order.
    static func matches(title: String, in windows: [X11Window]) -> [X11Window] {
        windows.filter { $0.title.range(of: title, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
    }

    private static func candidateWindows(display: String, in x11: any X11Inventory) throws -> [X11Window] {
        try x11.windows(display: display).filter(X11Listing.plausible)
    }

    static func resolvePipeWire(node: UInt32, in environment: MediaEnvironment) throws -> PipeWireSourcePlan {
        let nodes = try environment.pipewire.nodes()
        let videoNodes = nodes.filter(\.isVideoSource).map(\.label)
        guard let found = nodes.first(where: { $0.id == node }) else {
            throw MediaError.noSuchNode(node: node, videoNodes: videoNodes)
        }
        guard found.isVideoSource else {
            throw MediaError.notAVideoNode(node: node, mediaClass: found.mediaClass, videoNodes: videoNodes)
        }
        return PipeWireSourcePlan(node: node, name: found.name, size: found.videoSize)
    }

    /// The source checked again just before a pipeline starts, with its
    /// current geometry. Anything missing now is the source lost: above all
    /// a closed window, since ximagesrc would silently capture the whole
    /// screen instead.
    static func refresh(_ source: SourcePlan, in environment: MediaEnvironment) throws -> SourcePlan {
        do {
            switch source {
            case .test, .clock, .busy:
                return source
            case var .x11(plan):
                let x11 = environment.x11
                switch plan.target {
                case .screen:
                    plan.area = try x11.screen(display: plan.display)
                case let .monitor(name):
                    guard let monitor = try x11.monitors(display: plan.display).first(where: { $0.name == name }) else {
                        throw MediaError.sourceLost("the monitor \(name) on \(plan.display) is gone")
                    }
                    plan.area = monitor.area
                case let .window(id, _):
                    guard let window = try x11.window(id: id, display: plan.display), window.viewable != false else {
                        throw MediaError.sourceLost("the shared window \(X11Window.hex(id)) on \(plan.display) is closed or hidden")
                    }
                    plan.area = window.area
                }
                return .x11(plan)
            case var .pipewire(plan):
                guard let node = try environment.pipewire.nodes().first(where: { $0.id == plan.node }), node.isVideoSource else {
                    throw MediaError.sourceLost("PipeWire node \(plan.node) is gone")
                }
                plan.size = node.videoSize ?? plan.size
                return .pipewire(plan)
            case let .portal(plan):
                // The portal's remote sees the node; the desktop says when it ends.
                if plan.cast.wasClosedByDesktop {
                    throw MediaError.sourceLost(PortalError.closedByDesktop.description)
                }
                return source
            }
        } catch let error as MediaError {
            if case .sourceLost = error { throw error }
            throw MediaError.sourceLost("\(error)")
        }
    }

    // MARK: - Size

    /// The encoded size: the requested one for the test sources and when
    /// scaling; otherwise the native size rounded down to even numbers.
    static func outputSize(for source: SourcePlan, settings: MediaSettings) throws -> VideoSize {
        let requested = VideoSize(width: settings.width, height: settings.height)
        let native: VideoSize?
        switch source {
        case .test, .clock, .busy:
            return requested
        case let .x11(plan):
            native = plan.area.size
        case let .pipewire(plan):
            native = plan.size
        case let .portal(plan):
            native = plan.size
        }
        guard !settings.scaleToSize, let native else { return requested }
        let even = native.roundedDownToEven
        guard even.width >= 16, even.height >= 16 else {
            throw MediaError.invalidSettings("The capture area is only \(native) pixels, too small to share; pick a larger window or monitor.")
        }
        guard even.width <= 7680, even.height <= 4320 else {
            throw MediaError.invalidSettings("The capture area is \(native) pixels, larger than the 7680x4320 the encoders accept; share one monitor, or scale with --width and --height.")
        }
        return even
    }

    // MARK: - Audio

    static func audioPlan(for settings: MediaSettings, in environment: MediaEnvironment) -> AudioPlan {
        guard settings.audio else { return .none }
        if let application = settings.application {
            // The host made the sink (AppAudioRouter) before resolving.
            return .application(name: application.name, sink: application.sink)
        }
        switch settings.source {
        case .test, .clock, .busy:
            return .testTone
        case .x11, .pipewire, .portal:
            // On PipeWire the monitor is captured natively; pulsesrc stays
            // for a plain PulseAudio server (or without gstreamer1.0-pipewire).
            let plan = environment.audio.defaultSinkMonitor()
            if case let .systemMonitor(device) = plan, environment.audio.isPipeWire,
               environment.hasElement("pipewiresrc"), device.hasSuffix(".monitor") {
                return .sinkMonitor(sink: String(device.dropLast(".monitor".count)))
            }
            guard environment.hasElement("pulsesrc") else {
                return .unavailable(reason: "the GStreamer element pulsesrc is missing (install gstreamer1.0-plugins-good)")
            }
            return plan
        }
    }

    // MARK: - Summary

    static func summary(_ resolved: ResolvedMedia, settings: MediaSettings) -> String {
        let source: String
        switch resolved.source {
        case .test: source = "test pattern"
        case .clock: source = "clock pattern"
        case .busy: source = "clock pattern over noise"
        case let .x11(plan): source = plan.label
        case let .pipewire(plan): source = plan.label
        case let .portal(plan): source = plan.label
        }
        var line = "\(source) → \(resolved.outputSize)@\(settings.fps) \(resolved.encoder) \(settings.bitrateKbps) kbit/s"
        if !resolved.skippedEncoders.isEmpty {
            line += " (skipped " + resolved.skippedEncoders.map { "\($0.name): \($0.reason)" }.joined(separator: "; ") + ")"
        }
        switch resolved.audio {
        case .none: line += ", no audio"
        case .testTone: line += ", audio: test tone"
        case let .systemMonitor(device): line += ", audio: \(device)"
        case let .sinkMonitor(sink): line += ", audio: \(sink) (PipeWire monitor)"
        case let .application(name, _): line += ", audio: application '\(name)' only"
        case let .unavailable(reason): line += ", no audio (\(reason))"
        }
        return line
    }
}
