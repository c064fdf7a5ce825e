internal import CGStreamer

/// The single Swift owner of one reference to a GstObject (element, pipeline,
/// bus, pad). It unrefs that reference in `deinit`.
///
/// GStreamer objects are thread-safe reference-counted objects, so handing a
/// handle to another thread is fine.
// @unchecked Sendable: a raw pointer to a GstObject, whose refcount and
// (for the objects we hold) methods GStreamer makes thread-safe.
final class GstHandle<Object>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Object>

    /// Takes over a full (non-floating) reference the caller owns.
    init(takingOwnership pointer: UnsafeMutablePointer<Object>) {
        self.pointer = pointer
    }

    /// The pointer viewed as another GObject type (the C cast macros such as
    /// `GST_ELEMENT()` and `GST_BIN()` are not importable).
    func cast<Other>(to type: Other.Type) -> UnsafeMutablePointer<Other> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Other.self)
    }

    deinit {
        gst_object_unref(UnsafeMutableRawPointer(pointer))
    }
}
