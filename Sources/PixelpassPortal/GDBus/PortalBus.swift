import CGio
import Foundation
import Synchronization

/// A signal from the portal that the ScreenCast flow cares about.
enum PortalSignal: Sendable {
    /// `org.freedesktop.portal.Request.Response(u, a{sv})` on `path`.
    case response(path: String, code: UInt32, results: DBusValue)
    /// `org.freedesktop.portal.Session.Closed` on `path`.
    case sessionClosed(path: String)
}

/// Our own session-bus connection to the portal: the one owner of its
/// `GDBusConnection` and of the GLib main context its signals arrive on,
/// which a private thread runs for as long as the connection lives.
///
/// A connection of our own (not `g_bus_get`'s shared one) so closing it
/// is ours to do and a vanished bus never exits the process.
// @unchecked Sendable: it holds raw GLib pointers (not Sendable to Swift);
// GDBusConnection is thread-safe, the context and loop are touched only by
// init, the loop thread and deinit, and the rest of its state is in `state`.
final class PortalBus: @unchecked Sendable {
    static let portalName = "org.freedesktop.portal.Desktop"
    static let portalPath = "/org/freedesktop/portal/desktop"

    private let connection: OpaquePointer
    private let context: OpaquePointer
    private let loop: OpaquePointer
    private let loopDone = DispatchSemaphore(value: 0)
    private let state: Mutex<State>

    private struct State {
        var subscriptions: [guint]
        /// Called on the loop thread.
        var signalHandler: (@Sendable (PortalSignal) -> Void)?
        var closed = false
    }

    /// Connects to the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    init() throws {
        var error: UnsafeMutablePointer<GError>?
        guard let address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, nil, &error) else {
            throw PortalError.unavailable("no D-Bus session bus: \(Self.consume(error))")
        }
        defer { g_free(address) }
        let flags = GDBusConnectionFlags(rawValue: G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT.rawValue
                                         | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION.rawValue)
        guard let connection = g_dbus_connection_new_for_address_sync(address, flags, nil, nil, &error) else {
            throw PortalError.unavailable("cannot connect to the D-Bus session bus: \(Self.consume(error))")
        }
        self.connection = connection
        context = g_main_context_new()
        loop = g_main_loop_new(context, 0)
        state = Mutex(State(subscriptions: []))

        // Signals are delivered on the thread-default context at the time
        // of subscribing: subscribe with ours pushed, before its thread runs.
        g_main_context_push_thread_default(context)
        let me = Unmanaged.passUnretained(self).toOpaque()
        // Unretained: the subscriptions are removed in `close()` before self goes.
        let subscriptions = [
            g_dbus_connection_signal_subscribe(
                connection, Self.portalName, "org.freedesktop.portal.Request", "Response", nil, nil,
                G_DBUS_SIGNAL_FLAGS_NONE, portalBusSignalThunk, me, nil),
            g_dbus_connection_signal_subscribe(
                connection, Self.portalName, "org.freedesktop.portal.Session", "Closed", nil, nil,
                G_DBUS_SIGNAL_FLAGS_NONE, portalBusSignalThunk, me, nil),
        ]
        g_main_context_pop_thread_default(context)
        state.withLock { $0.subscriptions = subscriptions }

        let handles = LoopHandles(context: context, loop: loop)
        let thread = Thread { [loopDone] in
            g_main_context_push_thread_default(handles.context)
            g_main_loop_run(handles.loop)
            g_main_context_pop_thread_default(handles.context)
            loopDone.signal()
        }
        thread.name = "pixelpass-portal"
        thread.start()
    }

    deinit {
        close()
        g_main_loop_unref(loop)
        g_main_context_unref(context)
        g_object_unref(UnsafeMutableRawPointer(connection))
    }

    /// Our unique bus name, ":1.42".
    var uniqueName: String {
        g_dbus_connection_get_unique_name(connection).map { String(cString: $0) } ?? ""
    }

    /// Where signals go from now on.
    func onSignal(_ handler: (@Sendable (PortalSignal) -> Void)?) {
        state.withLock { $0.signalHandler = handler }
    }

    fileprivate func deliver(path: String, interface: String, member: String, parameters: OpaquePointer) {
        let signal: PortalSignal
        switch (interface, member) {
        case ("org.freedesktop.portal.Request", "Response"):
            let values = GVariantCoding.read(parameters).items ?? []
            guard values.count == 2, let code = values[0].uint32Value else { return }
            signal = .response(path: path, code: code, results: values[1])
        case ("org.freedesktop.portal.Session", "Closed"):
            signal = .sessionClosed(path: path)
        default:
            return
        }
        // Called after the lock is released: the handler may call back in.
        let handler = state.withLock { $0.signalHandler }
        handler?(signal)
    }

    /// Calls a method on the portal and returns its reply tuple.
    func call(interface: String, method: String, path: String = PortalBus.portalPath, arguments: [DBusValue],
              timeoutMilliseconds: Int32 = 20_000) throws -> DBusValue {
        var error: UnsafeMutablePointer<GError>?
        guard let reply = g_dbus_connection_call_sync(connection, Self.portalName, path, interface, method,
                                                      GVariantCoding.make(.tuple(arguments)), nil,
                                                      G_DBUS_CALL_FLAGS_NONE, timeoutMilliseconds, nil, &error)
        else {
            throw PortalCallError(Self.consume(error))
        }
        defer { g_variant_unref(reply) }
        return GVariantCoding.read(reply)
    }

    /// Calls a method that answers one Unix fd (`h`) and returns that fd,
    /// which the caller then owns.
    func callReturningFD(interface: String, method: String, arguments: [DBusValue]) throws -> Int32 {
        var error: UnsafeMutablePointer<GError>?
        var fdList: UnsafeMutablePointer<GUnixFDList>?
        guard let reply = g_dbus_connection_call_with_unix_fd_list_sync(
            connection, Self.portalName, Self.portalPath, interface, method,
            GVariantCoding.make(.tuple(arguments)), g_variant_type_new("(h)"), G_DBUS_CALL_FLAGS_NONE, 20_000,
            nil, &fdList, nil, &error)
        else {
            throw PortalCallError(Self.consume(error))
        }
        defer {
            g_variant_unref(reply)
            if let fdList { g_object_unref(UnsafeMutableRawPointer(fdList)) }
        }
        let child = g_variant_get_child_value(reply, 0)!
        let handle = g_variant_get_handle(child)
        g_variant_unref(child)
        guard let fdList else { throw PortalCallError("\(method) returned no file descriptor") }
        // g_unix_fd_list_get duplicates: the list keeps (and frees) its own.
        let fd = g_unix_fd_list_get(fdList, handle, &error)
        guard fd >= 0 else { throw PortalCallError(Self.consume(error)) }
        return fd
    }

    /// Asks the portal to close a ScreenCast session (best effort: the
    /// portal also closes it when our connection goes away).
    func closeSession(_ path: String) {
        _ = try? call(interface: "org.freedesktop.portal.Session", method: "Close", path: path,
                      arguments: [], timeoutMilliseconds: 3_000)
    }

    /// Stops delivering signals, closes the connection and ends the thread.
    func close() {
        let (wasClosed, subscriptions) = state.withLock { state in
            defer {
                state.closed = true
                state.signalHandler = nil
                state.subscriptions = []
            }
            return (state.closed, state.subscriptions)
        }
        guard !wasClosed else { return }
        for id in subscriptions { g_dbus_connection_signal_unsubscribe(connection, id) }
        g_dbus_connection_flush_sync(connection, nil, nil)
        g_dbus_connection_close_sync(connection, nil, nil)
        // Quit from inside the loop: g_main_loop_run forgets a quit that
        // comes before it starts, which a bus closed right after opening
        // (no portal) could hit while its thread was still starting.
        let quit = g_idle_source_new()
        g_source_set_callback(quit, portalBusQuitThunk, UnsafeMutableRawPointer(loop), nil)
        g_source_attach(quit, context)
        g_source_unref(quit)
        loopDone.wait()
    }

    /// The message of a GError, which is freed.
    static func consume(_ error: UnsafeMutablePointer<GError>?) -> String {
        guard let error else { return "unknown error" }
        defer { g_error_free(error) }
        // Remote errors arrive as "GDBus.Error:org.freedesktop.DBus.Error.X: text".
        var message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        if message.hasPrefix("GDBus.Error:") { message.removeFirst("GDBus.Error:".count) }
        return message
    }
}

/// The loop thread's borrowed view of the context and loop the bus owns
/// (the bus waits for the thread before freeing them).
// @unchecked Sendable: raw GLib pointers handed to the one loop thread,
// which stops before the bus frees them.
private struct LoopHandles: @unchecked Sendable {
    let context: OpaquePointer
    let loop: OpaquePointer
}

/// A portal method call that failed, with GDBus's message.
struct PortalCallError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }

    /// The D-Bus error name at the front, "org.freedesktop.DBus.Error.ServiceUnknown".
    var name: String { String(description.prefix(while: { $0 != ":" })) }
}

/// GDBusSignalCallback: recovers the bus and forwards. Runs on the loop thread.
private func portalBusSignalThunk(_ connection: OpaquePointer?, _ sender: UnsafePointer<gchar>?,
                                  _ path: UnsafePointer<gchar>?, _ interface: UnsafePointer<gchar>?,
                                  _ member: UnsafePointer<gchar>?, _ parameters: OpaquePointer?,
                                  _ userData: gpointer?) {
    guard let userData, let path, let interface, let member, let parameters else { return }
    let bus = Unmanaged<PortalBus>.fromOpaque(userData).takeUnretainedValue()
    bus.deliver(path: String(cString: path), interface: String(cString: interface),
                member: String(cString: member), parameters: parameters)
}

/// GSourceFunc of the idle source `close()` attaches: ends the loop run.
/// `userData` is the loop, borrowed: the bus frees it after the thread ends.
private func portalBusQuitThunk(_ userData: gpointer?) -> gboolean {
    if let userData { g_main_loop_quit(OpaquePointer(userData)) }
    return 0  // G_SOURCE_REMOVE
}
