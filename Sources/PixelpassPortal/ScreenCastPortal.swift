import Foundation

/// Asks the desktop's ScreenCast portal (xdg-desktop-portal) for a screen
/// or window: runs `ScreenCastHandshake` over our own bus connection.
public enum ScreenCastPortal {
    /// How long the steps the user answers in a dialog may take, and the others.
    public static let dialogTimeout: TimeInterval = 300
    public static let callTimeout: TimeInterval = 20

    /// Blocks until the user granted a stream (or a restore token did),
    /// cancelled, or the portal failed. `onDialog` is called when the wait
    /// for the user's choice begins, so the caller can say so.
    public static func open(_ options: ScreenCastOptions,
                            onDialog: (() -> Void)? = nil) throws -> ScreenCastSession {
        let bus = try PortalBus()
        let capabilities = try readCapabilities(bus)
        let inbox = PortalInbox()
        bus.onSignal { inbox.post($0) }

        var machine = ScreenCastHandshake(uniqueName: bus.uniqueName, options: options, capabilities: capabilities,
                                          makeToken: { "pixelpass_" + UUID().uuidString.prefix(8).lowercased() })
        var action = machine.begin()
        var toldAboutDialog = false
        while true {
            switch action {
            case let .call(call):
                do {
                    let reply = try bus.call(interface: "org.freedesktop.portal.ScreenCast", method: call.method,
                                             arguments: call.arguments)
                    if let path = reply.items?.first?.stringValue { machine.callReturned(requestPath: path) }
                } catch {
                    action = machine.callFailed("\(error)")
                    continue
                }
                if machine.waitsForUser && !toldAboutDialog {
                    toldAboutDialog = true
                    onDialog?()
                }
                let seconds = machine.waitsForUser ? dialogTimeout : callTimeout
                let deadline = Date(timeIntervalSinceNow: seconds)
                var next: ScreenCastHandshake.Action?
                while next == nil {
                    guard let signal = inbox.next(before: deadline) else {
                        let step = machine.pendingStep ?? call.method
                        close(machine.session, on: bus)
                        throw PortalError.noAnswer(step: step, seconds: Int(seconds))
                    }
                    if case let .response(path, code, results) = signal {
                        next = machine.received(response: code, results: results, on: path)
                    }
                }
                action = next!

            case let .openRemote(session):
                guard let grant = machine.grant else { throw PortalError.noStreams }
                do {
                    let fd = try bus.callReturningFD(interface: "org.freedesktop.portal.ScreenCast",
                                                     method: "OpenPipeWireRemote",
                                                     arguments: [.objectPath(session), .vardict([])])
                    bus.onSignal(nil)
                    return ScreenCastSession(bus: bus, grant: grant, pipeWireFD: fd)
                } catch {
                    close(session, on: bus)
                    throw PortalError.failed(step: "OpenPipeWireRemote", detail: "\(error)")
                }

            case let .fail(error, session):
                close(session, on: bus)
                throw error
            }
        }
    }

    /// `version`, `AvailableSourceTypes` and `AvailableCursorModes`; the
    /// errors here are the portal or its ScreenCast backend missing.
    static func readCapabilities(_ bus: PortalBus) throws -> ScreenCastCapabilities {
        let reply: DBusValue
        do {
            reply = try bus.call(interface: "org.freedesktop.DBus.Properties", method: "GetAll",
                                 arguments: [.string("org.freedesktop.portal.ScreenCast")])
        } catch let error as PortalCallError {
            switch error.name {
            case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
                throw PortalError.unavailable("no xdg-desktop-portal on the session bus")
            case "org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.DBus.Error.InvalidArgs",
                 "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod":
                throw PortalError.unavailable("xdg-desktop-portal runs, but no backend offers ScreenCast for this desktop")
            default:
                throw PortalError.unavailable("\(error)")
            }
        }
        guard let properties = reply.items?.first, let sourceTypes = properties["AvailableSourceTypes"]?.uint32Value else {
            throw PortalError.unavailable("xdg-desktop-portal runs, but no backend offers ScreenCast for this desktop")
        }
        return ScreenCastCapabilities(version: properties["version"]?.uint32Value ?? 1,
                                      sourceTypes: sourceTypes,
                                      cursorModes: properties["AvailableCursorModes"]?.uint32Value ?? 0)
    }

    private static func close(_ session: String?, on bus: PortalBus) {
        if let session { bus.closeSession(session) }
        bus.close()
    }
}
