/// The picture the encoder is fed: size and frame rate. The host lowers
/// them on slow links (`MediaPipeline.setPicture`).
public struct VideoPicture: Equatable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var fps: Int

    public init(width: Int, height: Int, fps: Int) {
        self.width = width
        self.height = height
        self.fps = fps
    }

    init(size: VideoSize, fps: Int) {
        self.init(width: size.width, height: size.height, fps: fps)
    }

    /// Raw-video caps that fix size and rate; square pixels, so a smaller
    /// size is scaled, never stretched.
    var caps: String {
        "video/x-raw,width=\(width),height=\(height),framerate=\(fps)/1,pixel-aspect-ratio=1/1"
    }

    public var description: String { "\(width)x\(height) at \(fps) fps" }
}
