/// What the user asked the portal for.
public struct ScreenCastOptions: Sendable, Equatable {
    /// What the portal's dialog may offer; the user picks one of them there.
    public enum Offer: String, Sendable, Equatable, CaseIterable {
        case any, monitor, window

        /// The portal's `types` bitmask (1 monitor, 2 window).
        var sourceTypes: UInt32 {
            switch self {
            case .any: return ScreenCastSourceType.monitor | ScreenCastSourceType.window
            case .monitor: return ScreenCastSourceType.monitor
            case .window: return ScreenCastSourceType.window
            }
        }
    }

    public var offer: Offer
    /// From the last run's Start, so the dialog is skipped; nil shows it.
    public var restoreToken: String?

    public init(offer: Offer = .any, restoreToken: String? = nil) {
        self.offer = offer
        self.restoreToken = restoreToken
    }
}

/// Bit values of the portal's `AvailableSourceTypes` and `types`.
enum ScreenCastSourceType {
    static let monitor: UInt32 = 1
    static let window: UInt32 = 2
    static let virtual: UInt32 = 4
}

/// Bit values of `AvailableCursorModes` and `cursor_mode`.
enum ScreenCastCursorMode {
    static let hidden: UInt32 = 1
    static let embedded: UInt32 = 2
    static let metadata: UInt32 = 4
}

/// The portal's properties, read before the handshake.
public struct ScreenCastCapabilities: Sendable, Equatable {
    public var version: UInt32
    public var sourceTypes: UInt32
    public var cursorModes: UInt32

    public init(version: UInt32, sourceTypes: UInt32, cursorModes: UInt32) {
        self.version = version
        self.sourceTypes = sourceTypes
        self.cursorModes = cursorModes
    }

    /// `persist_mode` and `restore_token` arrived with version 4.
    var canPersist: Bool { version >= 4 }

    /// The cursor drawn into the picture when offered (a player cannot draw
    /// a metadata cursor), else none; nil when the portal lists no modes.
    var cursorMode: UInt32? {
        if cursorModes & ScreenCastCursorMode.embedded != 0 { return ScreenCastCursorMode.embedded }
        if cursorModes & ScreenCastCursorMode.hidden != 0 { return ScreenCastCursorMode.hidden }
        return nil
    }
}

/// One stream the portal granted: a PipeWire node and what it shows.
public struct ScreenCastStream: Sendable, Equatable {
    public var node: UInt32
    /// The stream's size in pixels, when the portal says.
    public var width: Int?
    public var height: Int?
    /// 1 monitor, 2 window, 4 virtual; nil when the portal does not say.
    public var sourceType: UInt32?

    public init(node: UInt32, width: Int? = nil, height: Int? = nil, sourceType: UInt32? = nil) {
        self.node = node
        self.width = width
        self.height = height
        self.sourceType = sourceType
    }

    /// "monitor", "window", … for the host's log line.
    public var kind: String {
        switch sourceType {
        case ScreenCastSourceType.monitor: return "monitor"
        case ScreenCastSourceType.window: return "window"
        case ScreenCastSourceType.virtual: return "virtual screen"
        default: return "screen"
        }
    }

    /// Streams from `Start`'s `streams` result: `a(ua{sv})`.
    static func parse(_ value: DBusValue?) -> [ScreenCastStream] {
        (value?.items ?? []).compactMap { entry in
            guard let fields = entry.items, fields.count == 2, let node = fields[0].uint32Value else { return nil }
            let properties = fields[1]
            var stream = ScreenCastStream(node: node)
            if let size = properties["size"]?.items, size.count == 2,
               let w = size[0].int32Value, let h = size[1].int32Value, w > 0, h > 0 {
                stream.width = Int(w)
                stream.height = Int(h)
            }
            stream.sourceType = properties["source_type"]?.uint32Value
            return stream
        }
    }
}
