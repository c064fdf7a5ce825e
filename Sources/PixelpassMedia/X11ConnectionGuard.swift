import Foundation
import Synchronization
internal import CGStreamer.X11

/// Told when an X connection a capture depends on breaks.
protocol X11LossObserver: AnyObject, Sendable {
    /// The X server closed the connection. Runs on the thread whose Xlib
    /// call found out (normally the ximagesrc streaming thread); that thread
    /// never returns from Xlib afterwards. Must only hand the news over.
    func x11ConnectionLost(display: String)
    /// The server rejected a request about `resource` (a destroyed window,
    /// an area off the screen). Must only hand the news over.
    func x11RequestFailed(resource: UInt64, errorCode: UInt8)
}

/// Replaces Xlib's process-wide error handlers while X11 captures run.
///
/// Why: Xlib's defaults call `exit()`: its I/O error handler when the X
/// server goes away (and Xlib offers no way to carry on: if the handler
/// returns, Xlib exits anyway), its protocol error handler when ximagesrc
/// touches a window that was just destroyed. Either would kill the host in
/// the middle of a share. With these handlers, a protocol error is reported
/// and ignored, and a lost connection is reported and the thread that hit
/// it (ximagesrc's streaming thread) is parked for good, holding its locks;
/// `PipelineSession` then abandons that one element instead of stopping it.
enum X11ConnectionGuard {
    /// Starts reporting to `observer` for captures on `display` (of
    /// `window`, when one window is captured). Installs the handlers on
    /// first use, before any ximagesrc opens the display, so ximagesrc's own
    /// temporary handler (during its XShm check) restores ours.
    static func watch(display: String, window: UInt64?, observer: any X11LossObserver) -> Int {
        installHandlers
        return registry.add(Registry.Entry(display: display, window: window, observer: observer))
    }

    static func unwatch(_ token: Int) {
        registry.remove(token)
    }

    private static let installHandlers: Void = {
        _ = XSetIOErrorHandler { display in
            let name = display.map { String(cString: XDisplayString($0)) } ?? ""
            X11ConnectionGuard.registry.connectionLost(display: name)
            // Returning would let Xlib call exit(); this thread stays here.
            while true {
                sleep(3600)
            }
        }
        _ = XSetErrorHandler { display, event in
            guard let event else { return 0 }
            let name = display.map { String(cString: XDisplayString($0)) } ?? ""
            X11ConnectionGuard.registry.requestFailed(display: name, resource: UInt64(event.pointee.resourceid),
                                                      errorCode: event.pointee.error_code)
            return 0
        }
    }()

    fileprivate static let registry = Registry()

    final class Registry: Sendable {
        struct Entry {
            var display: String
            var window: UInt64?
            weak var observer: (any X11LossObserver)?
        }

        private let state = Mutex((entries: [Int: Entry](), nextToken: 0))

        func add(_ entry: Entry) -> Int {
            state.withLock { state in
                state.nextToken += 1
                state.entries[state.nextToken] = entry
                return state.nextToken
            }
        }

        func remove(_ token: Int) {
            state.withLock { _ = $0.entries.removeValue(forKey: token) }
        }

        /// The observers for `display`; every observer when none names it
        /// exactly (a display opened as "localhost:0" reports itself so).
        /// A copy, so observers are called outside the lock.
        private func observers(for display: String) -> [Entry] {
            let all = state.withLock { Array($0.entries.values) }
            let exact = all.filter { $0.display == display }
            return exact.isEmpty ? all : exact
        }

        func connectionLost(display: String) {
            for entry in observers(for: display) {
                entry.observer?.x11ConnectionLost(display: entry.display)
            }
        }

        func requestFailed(display: String, resource: UInt64, errorCode: UInt8) {
            for entry in observers(for: display) {
                entry.observer?.x11RequestFailed(resource: resource, errorCode: errorCode)
            }
        }
    }

    // X protocol error codes (X.h) the capture cares about.
    static let badWindow: UInt8 = 3
    static let badMatch: UInt8 = 8
    static let badDrawable: UInt8 = 9
}
