internal import CGStreamer

/// Process-wide GStreamer setup.
public enum GStreamer {
    /// Calls `gst_init` exactly once per process; safe from any thread
    /// (Swift runs a static initialiser once, under a lock).
    public static func initialize() {
        _ = initialized
    }

    private static let initialized: Bool = {
        gst_init(nil, nil)
        return true
    }()

    /// Whether the element factory `name` is registered (its plugin is
    /// installed and loads).
    static func hasElement(_ name: String) -> Bool {
        initialize()
        guard let factory = gst_element_factory_find(name) else { return false }
        // gst_element_factory_find returns a full reference.
        gst_object_unref(UnsafeMutableRawPointer(factory))
        return true
    }

    /// Whether the plugin `name` (e.g. "va", "x264") is installed, even if
    /// it registered no elements because it found no device.
    static func hasPlugin(_ name: String) -> Bool {
        initialize()
        // Transfer full, or NULL.
        guard let plugin = gst_registry_find_plugin(gst_registry_get(), name) else { return false }
        gst_object_unref(UnsafeMutableRawPointer(plugin))
        return true
    }

    /// "element: message (debug details)" from an ERROR message.
    static func errorText(_ message: UnsafeMutablePointer<GstMessage>) -> String {
        var error: UnsafeMutablePointer<GError>?
        var debug: UnsafeMutablePointer<gchar>?
        gst_message_parse_error(message, &error, &debug)
        defer {
            if let error { g_error_free(error) }
            g_free(debug)
        }
        var text = String(cString: ppgst_message_source_name(message)) + ": "
        text += error.map { String(cString: $0.pointee.message) } ?? "unknown error"
        if let debug {
            text += " (" + String(cString: debug) + ")"
        }
        return text
    }

    /// Parses a gst-launch description. gst_parse_launch may return a
    /// pipeline and a (recoverable) error together; the reference is taken
    /// either way so it is released, and the error wins.
    static func parseLaunch(_ description: String) throws -> GstHandle<GstElement> {
        initialize()
        var parseError: UnsafeMutablePointer<GError>?
        let launched = gst_parse_launch(description, &parseError)
        let pipeline = launched.map { GstHandle(takingOwnership: ppgst_take_element($0)) }
        if let parseError {
            let message = String(cString: parseError.pointee.message)
            g_error_free(parseError)
            throw MediaError.pipelineFailed(message)
        }
        guard let pipeline else {
            throw MediaError.pipelineFailed("gst_parse_launch returned no pipeline")
        }
        return pipeline
    }
}
