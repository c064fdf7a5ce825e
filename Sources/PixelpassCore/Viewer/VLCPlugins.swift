import Foundation

/// Checks, before launching VLC, that the plugins our stream needs exist:
/// Debian splits them into packages a minimal install may lack, and VLC
/// itself only says "no suitable demux module" after opening a window.
public enum VLCPlugins {
    public struct Missing: Equatable, Sendable {
        public var purpose: String
        public var file: String
        public var debianPackage: String
    }

    /// The plugins for HTTP input, MPEG-TS demuxing and H.264/AAC decoding.
    static let required: [Missing] = [
        Missing(purpose: "HTTP input", file: "access/libhttp_plugin.so", debianPackage: "vlc-plugin-base"),
        Missing(purpose: "MPEG-TS demuxer", file: "demux/libts_plugin.so", debianPackage: "vlc-plugin-base"),
        Missing(purpose: "H.264 decoder", file: "codec/libavcodec_plugin.so", debianPackage: "vlc-plugin-base"),
    ]

    /// Where VLC looks for plugins: $VLC_PLUGIN_PATH, then the distribution's directories.
    public static func pluginDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var directories = environment["VLC_PLUGIN_PATH"].map { $0.split(separator: ":").map(String.init) } ?? []
        directories += ["/usr/lib/x86_64-linux-gnu/vlc/plugins", "/usr/lib/aarch64-linux-gnu/vlc/plugins",
                        "/usr/lib/vlc/plugins", "/usr/lib64/vlc/plugins"]
        return directories
    }

    /// Whether VLC's Qt interface is installed (package vlc-plugin-qt).
    public static func hasGraphicalInterface(fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) },
                                             directories: [String] = pluginDirectories()) -> Bool {
        directories.contains { fileExists("\($0)/gui/libqt_plugin.so") }
    }

    /// The first required plugin that is missing, or nil when all are there
    /// (also nil when no plugin directory exists: then we cannot tell).
    public static func missing(fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) },
                               directories: [String] = pluginDirectories()) -> Missing? {
        guard let root = directories.first(where: { fileExists($0) }) else { return nil }
        return required.first { !fileExists("\(root)/\($0.file)") }
    }
}
