/// The version `pixelpass --version` prints. Bump it with each release.
enum PixelpassVersion {
    static let current = "0.4.0"
}
