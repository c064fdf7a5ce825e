import PixelpassMedia

/// Which picture to encode at a given bitrate. Too few bits per pixel give
/// mush, so as the rate falls the frame rate halves first (text stays sharp,
/// motion gets choppier), then the size shrinks to two thirds and then to
/// half. Hysteresis keeps it from flapping: a step is left when the bits
/// per pixel fall below `lowBitsPerPixel` and taken back only when the step
/// above would get `highBitsPerPixel`.
struct PictureLadder: Equatable, Sendable {
    static let lowBitsPerPixel = 0.04
    static let highBitsPerPixel = 0.07
    static let minimumFPS = 10
    static let minimumWidth = 320

    let steps: [VideoPicture]

    init(nominal: VideoPicture) {
        var steps = [nominal]
        let halfRate = max(Self.minimumFPS, nominal.fps / 2)
        if halfRate < nominal.fps {
            steps.append(VideoPicture(width: nominal.width, height: nominal.height, fps: halfRate))
        }
        for (numerator, denominator) in [(2, 3), (1, 2)] {
            let width = Self.even(nominal.width * numerator / denominator)
            let height = Self.even(nominal.height * numerator / denominator)
            guard width >= Self.minimumWidth, height >= 16 else { break }
            steps.append(VideoPicture(width: width, height: height, fps: halfRate))
        }
        self.steps = steps
    }

    /// The step for `kbps`, moving at most as far as the hysteresis allows from `current`.
    func step(for kbps: Int, from current: Int) -> Int {
        var step = min(max(current, 0), steps.count - 1)
        while step + 1 < steps.count, Self.bitsPerPixel(kbps, steps[step]) < Self.lowBitsPerPixel {
            step += 1
        }
        while step > 0, Self.bitsPerPixel(kbps, steps[step - 1]) >= Self.highBitsPerPixel {
            step -= 1
        }
        return step
    }

    static func bitsPerPixel(_ kbps: Int, _ picture: VideoPicture) -> Double {
        Double(kbps) * 1000 / Double(max(1, picture.width * picture.height * picture.fps))
    }

    private static func even(_ value: Int) -> Int { value & ~1 }
}
