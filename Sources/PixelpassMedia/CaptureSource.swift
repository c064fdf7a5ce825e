import PixelpassPortal

/// Where the picture comes from.
public enum CaptureSource: Sendable, Equatable {
    /// A moving test pattern with a wall-clock overlay.
    case test
    /// The latency source: black frames stamped with their capture time
    /// (see `ClockStampProbe`).
    case clock
    /// The clock code over moving noise in the bottom quarter: a picture no
    /// encoder can squeeze, so the stream uses every bit it is allowed. For
    /// trying a link (and the adaptive-bitrate lab).
    case busy
    /// An X11 screen, monitor or window, through `ximagesrc`.
    case x11(X11Capture)
    /// Any PipeWire video node, through `pipewiresrc`.
    case pipewire(node: UInt32)
    /// A monitor or window the user picks in the desktop's ScreenCast
    /// portal dialog (Wayland), captured through the portal's PipeWire remote.
    case portal(PortalCapture)
}

/// What to ask the desktop's ScreenCast portal for.
public struct PortalCapture: Sendable, Equatable {
    /// What the dialog offers; the user picks there.
    public var offer: ScreenCastOptions.Offer
    /// Where the portal's restore token is kept between runs, so the
    /// dialog appears once; nil asks every time.
    public var tokenStore: RestoreTokenStore?

    public init(offer: ScreenCastOptions.Offer = .any, tokenStore: RestoreTokenStore? = nil) {
        self.offer = offer
        self.tokenStore = tokenStore
    }
}

/// What to capture on an X server.
public struct X11Capture: Sendable, Equatable {
    /// An X display name such as ":0"; nil means `$DISPLAY`.
    public var display: String?
    public var target: X11Target

    public init(display: String?, target: X11Target) {
        self.display = display
        self.target = target
    }
}

public enum X11Target: Sendable, Equatable {
    /// The whole root window (every monitor).
    case screen
    /// One RandR monitor, by name (`xrandr --listmonitors`).
    case monitor(String)
    /// One window, by X window ID.
    case windowID(UInt64)
    /// The one window whose title contains this text (case-insensitive).
    case windowTitle(String)
}
