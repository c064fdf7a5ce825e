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
}
