/// What libva reports about this machine's GPUs.
public enum VAAPIInventory: Equatable, Sendable {
    /// libva (or its DRM backend) cannot be loaded; the name of the library.
    case libraryMissing(String)
    /// No /dev/dri/renderD* node: no GPU, or none passed into this container.
    case noDevices
    case devices([VAAPIDevice])
}

/// One DRM render node as libva sees it.
public struct VAAPIDevice: Equatable, Sendable {
    public var path: String
    /// vaQueryVendorString, e.g. "Intel iHD driver for Intel(R) Gen Graphics - 23.1.1".
    public var vendor: String?
    /// H.264 profiles with an encode entrypoint, e.g. ["ConstrainedBaseline", "Main", "High"].
    public var h264EncodeProfiles: [String]
    /// Why the device could not be opened or initialised; nil when it was.
    public var error: String?

    public init(path: String, vendor: String? = nil, h264EncodeProfiles: [String] = [], error: String? = nil) {
        self.path = path
        self.vendor = vendor
        self.h264EncodeProfiles = h264EncodeProfiles
        self.error = error
    }
}
