/// What `--source auto` means in the current session.
public enum SourceAvailability {
    /// A Wayland session asks the desktop's ScreenCast portal, an X11
    /// session shares its whole screen, and without either there is nothing
    /// to capture. `environment` is the process environment, passed in so
    /// tests need not change the real one.
    public static func automatic(environment: [String: String]) -> Result<CaptureSource, MediaError> {
        if let wayland = environment["WAYLAND_DISPLAY"], !wayland.isEmpty {
            return .success(.portal(PortalCapture()))
        }
        if let display = environment["DISPLAY"], !display.isEmpty {
            return .success(.x11(X11Capture(display: nil, target: .screen)))
        }
        return .failure(.noDisplay)
    }
}
