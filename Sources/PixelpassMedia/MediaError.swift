import PixelpassPortal

/// Everything that can go wrong in the media pipeline, translated once at the
/// GStreamer (or command-line tool) boundary. `description` is one sentence
/// that says what is wrong and what to do, listing what exists where that helps.
public enum MediaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A GStreamer element is not installed.
    case missingElement(name: String, debianPackage: String)
    /// GStreamer reported an error while building or running the pipeline;
    /// the associated text carries GStreamer's own message.
    case pipelineFailed(String)
    /// The settings are outside what the pipeline supports.
    case invalidSettings(String)
    /// `start` was called while the pipeline was already running.
    case alreadyRunning

    // MARK: Capture sources

    /// Neither `$DISPLAY` nor `$WAYLAND_DISPLAY` is set.
    case noDisplay
    /// The desktop's ScreenCast portal gave no stream (cancelled, missing, failed).
    case portal(PortalError)
    /// The X display cannot be opened; `reason` is the tool's message.
    case displayUnavailable(display: String, reason: String)
    /// `monitors` are "NAME (WxH+X+Y)".
    case noSuchMonitor(name: String, display: String, monitors: [String])
    /// `window` is how the user named it ("0x1e00007"); `windows` are "0x… 'title'".
    case noSuchWindow(window: String, display: String, windows: [String])
    /// The window exists but is not mapped (minimized or hidden), so there is nothing to capture.
    case windowNotShown(window: String, display: String)
    /// No window title contains `title`.
    case noMatchingWindow(title: String, display: String, windows: [String])
    /// Several window titles contain `title`; `matches` are "0x… 'title'".
    case ambiguousWindow(title: String, display: String, matches: [String])
    /// PipeWire has no node with this id; `videoNodes` are "ID (name, class)".
    case noSuchNode(node: UInt32, videoNodes: [String])
    /// The node exists but is not a video source.
    case notAVideoNode(node: UInt32, mediaClass: String, videoNodes: [String])
    /// `pw-dump` could not reach the PipeWire daemon.
    case pipeWireUnavailable(reason: String)
    /// A command-line tool pixelpass runs to inspect the desktop is missing.
    case toolMissing(tool: String, purpose: String, debianPackage: String)
    /// The capture source itself failed while sharing (X server gone, window
    /// closed, PipeWire node removed). The share should end.
    case sourceLost(String)

    // MARK: Encoders

    /// `--encoder` named something pixelpass does not know.
    case unknownEncoder(String)
    /// The named encoder cannot be used here. `debianPackage` is set when it
    /// is simply not installed; `working` lists the encoders that do work.
    case encoderUnavailable(name: String, reason: String, debianPackage: String?, working: [String])
    /// No encoder works; `tried` are "name: reason".
    case noWorkingEncoder(tried: [String])

    public var description: String {
        switch self {
        case let .missingElement(name, debianPackage):
            return "The GStreamer element '\(name)' is missing; install it with 'sudo apt install \(debianPackage)'."
        case let .pipelineFailed(message):
            return "The media pipeline failed (\(message)); check that the GStreamer plugins are installed and working, for example with 'gst-inspect-1.0'."
        case let .invalidSettings(message):
            return message
        case .alreadyRunning:
            return "The media pipeline is already running; stop it before starting it again."

        case .noDisplay:
            return "There is no display to capture ($DISPLAY and $WAYLAND_DISPLAY are not set); run pixelpass inside your desktop session, name an X display with --display, or share a test pattern with '--source test'."
        case let .portal(error):
            switch error {
            case .cancelled: return "Sharing cancelled by the user: the desktop's screen-share dialog was closed without choosing; run again and pick a screen or window."
            default: return (error.description.first.map { String($0).uppercased() } ?? "") + error.description.dropFirst() + "."
            }
        case let .displayUnavailable(display, reason):
            return "Cannot open the X display \(display) (\(reason)); check --display or $DISPLAY and that the X server is running."
        case let .noSuchMonitor(name, display, monitors):
            return "There is no monitor '\(name)' on \(display); " + Self.choose("monitors", monitors, none: "the X server reports no monitors")
        case let .noSuchWindow(window, display, windows):
            return "There is no window \(window) on \(display); " + Self.choose("windows", windows, none: "no titled windows are open there")
        case let .windowNotShown(window, display):
            return "The window \(window) on \(display) is not shown on the screen (minimized or hidden); show it and share again, or pick another window."
        case let .noMatchingWindow(title, display, windows):
            return "No window title on \(display) contains '\(title)'; " + Self.choose("windows", windows, none: "no titled windows are open there")
        case let .ambiguousWindow(title, display, matches):
            return "\(matches.count) windows on \(display) have '\(title)' in their title; give more of the title or one window ID: \(Self.list(matches))."
        case let .noSuchNode(node, videoNodes):
            return "There is no PipeWire node \(node); " + Self.choose("video nodes", videoNodes, none: "PipeWire has no video nodes right now")
        case let .notAVideoNode(node, mediaClass, videoNodes):
            return "PipeWire node \(node) is not a video source (its media.class is '\(mediaClass)'); " + Self.choose("video nodes", videoNodes, none: "PipeWire has no video nodes right now")
        case let .pipeWireUnavailable(reason):
            return "Cannot reach PipeWire (\(reason)); start PipeWire in this session or choose another --source."
        case let .toolMissing(tool, purpose, debianPackage):
            return "'\(tool)' is needed to \(purpose) but is not installed; install it with 'sudo apt install \(debianPackage)'."
        case let .sourceLost(reason):
            return "The capture source stopped (\(reason)); the share has ended, start it again once the source is back."

        case let .unknownEncoder(name):
            return "'\(name)' is not an encoder pixelpass knows; choose auto or one of " + VideoEncoder.allCases.map(\.name).joined(separator: ", ") + "."
        case let .encoderUnavailable(name, reason, debianPackage, working):
            let alternatives = working.isEmpty ? nil : "use one that works here: " + working.joined(separator: ", ")
            let advice: String
            if let debianPackage {
                advice = "install it with 'sudo apt install \(debianPackage)'" + (alternatives.map { ", or \($0)" } ?? "")
            } else {
                advice = alternatives ?? "no H.264 encoder works here, so install x264enc with 'sudo apt install \(VideoEncoder.x264enc.debianPackage)'"
            }
            return "The encoder '\(name)' cannot be used (\(reason)); \(advice)."
        case let .noWorkingEncoder(tried):
            return "No H.264 encoder works here (\(tried.joined(separator: "; "))); install x264enc with 'sudo apt install \(VideoEncoder.x264enc.debianPackage)'."
        }
    }

    /// "choose one of these monitors: a, b." or the `none` text.
    private static func choose(_ kind: String, _ items: [String], none: String) -> String {
        items.isEmpty ? none + "." : "choose one of these \(kind): \(list(items))."
    }

    /// At most a dozen items, so one sentence stays readable.
    private static func list(_ items: [String]) -> String {
        let shown = items.prefix(12).joined(separator: ", ")
        return items.count > 12 ? shown + " and \(items.count - 12) more" : shown
    }
}
