import Foundation

/// Asks libva directly which render nodes can encode H.264. libva is
/// loaded with dlopen and called through @convention(c) types so neither
/// libva-dev at build time nor libva at run time is required.
enum VAAPIProbe {
    // va.h (libva 2.x) constants.
    static let h264Profiles: [(value: Int32, name: String)] = [(13, "ConstrainedBaseline"), (6, "Main"), (7, "High")]
    static let encodeEntrypoints: Set<Int32> = [6, 8] // VAEntrypointEncSlice, VAEntrypointEncSliceLP

    private typealias GetDisplayDRM = @convention(c) (Int32) -> UnsafeMutableRawPointer?
    private typealias Initialize = @convention(c) (UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    private typealias Terminate = @convention(c) (UnsafeMutableRawPointer) -> Int32
    private typealias VendorString = @convention(c) (UnsafeMutableRawPointer) -> UnsafePointer<CChar>?
    private typealias MaxEntrypoints = @convention(c) (UnsafeMutableRawPointer) -> Int32
    private typealias QueryEntrypoints = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    private typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    private typealias SetCallback = @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> UnsafeRawPointer?

    static func inventory(renderNodes: [String]? = nil) -> VAAPIInventory {
        // The libraries stay loaded for the process: unloading libva after
        // its drivers were loaded is not worth the risk in a one-shot run.
        guard let va = dlopen("libva.so.2", RTLD_NOW | RTLD_LOCAL) else { return .libraryMissing("libva.so.2") }
        guard let vaDRM = dlopen("libva-drm.so.2", RTLD_NOW | RTLD_LOCAL) else { return .libraryMissing("libva-drm.so.2") }
        let nodes = renderNodes ?? Self.renderNodes()
        guard !nodes.isEmpty else { return .noDevices }
        guard let getDisplay = symbol(vaDRM, "vaGetDisplayDRM", as: GetDisplayDRM.self),
              let initialize = symbol(va, "vaInitialize", as: Initialize.self),
              let terminate = symbol(va, "vaTerminate", as: Terminate.self),
              let vendorString = symbol(va, "vaQueryVendorString", as: VendorString.self),
              let maxEntrypoints = symbol(va, "vaMaxNumEntrypoints", as: MaxEntrypoints.self),
              let queryEntrypoints = symbol(va, "vaQueryConfigEntrypoints", as: QueryEntrypoints.self) else {
            return .libraryMissing("libva.so.2 (a required function is missing: libva too old?)")
        }
        let errorString = symbol(va, "vaErrorStr", as: ErrorString.self)
        // libva prints "libva info: …" lines on stderr unless told not to.
        let setInfoCallback = symbol(va, "vaSetInfoCallback", as: SetCallback.self)

        func describe(_ status: Int32) -> String {
            errorString?(status).map { String(cString: $0) } ?? "VA status \(status)"
        }

        return .devices(nodes.map { path in
            let fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else {
                return VAAPIDevice(path: path, error: "cannot open: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            guard let display = getDisplay(fd) else {
                return VAAPIDevice(path: path, error: "libva gave no display for it")
            }
            _ = setInfoCallback?(display, nil, nil)
            var major: Int32 = 0, minor: Int32 = 0
            let status = initialize(display, &major, &minor)
            defer { _ = terminate(display) }
            guard status == 0 else {
                return VAAPIDevice(path: path, error: "vaInitialize failed: \(describe(status))")
            }
            let vendor = vendorString(display).map { String(cString: $0) }
            let capacity = max(Int(maxEntrypoints(display)), 1)
            var profiles: [String] = []
            for profile in h264Profiles {
                var entrypoints = [Int32](repeating: 0, count: capacity)
                var count: Int32 = 0
                guard queryEntrypoints(display, profile.value, &entrypoints, &count) == 0 else { continue }
                if entrypoints.prefix(Int(count)).contains(where: encodeEntrypoints.contains) {
                    profiles.append(profile.name)
                }
            }
            return VAAPIDevice(path: path, vendor: vendor, h264EncodeProfiles: profiles)
        })
    }

    /// /dev/dri/renderD128, renderD129, … sorted.
    static func renderNodes(directory: String = "/dev/dri") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("renderD") }.sorted().map { "\(directory)/\($0)" }
    }

    private static func symbol<Function>(_ library: UnsafeMutableRawPointer, _ name: String, as type: Function.Type) -> Function? {
        guard let address = dlsym(library, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }
}
