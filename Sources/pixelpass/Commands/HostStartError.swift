import NIOCore
import PixelpassCore
import PixelpassMedia

/// Why a share could not start, with the exit code scripts see: bad media
/// choices are usage errors (2), anything else a failure (1).
enum HostStartError: Error, CustomStringConvertible {
    case media(MediaError)
    case other(Error)

    var exitCode: Int32 {
        switch self {
        case .media(.portal(.cancelled)): return ExitCodes.cancelled.rawValue
        case .media(.portal(.unavailable)), .media(.portal(.sourceTypeNotOffered)): return 2
        case .media(.portal): return 1
        case .media: return 2
        case .other: return 1
        }
    }

    var description: String {
        switch self {
        case .media(let error): return error.description
        case .other(let error): return "\(error)"
        }
    }

    /// Starts GStreamer and the host, translating failures.
    static func starting(_ configuration: HostConfiguration, on eventLoop: EventLoop) throws -> PixelpassCore.Host {
        GStreamer.initialize()
        do {
            return try PixelpassCore.Host.start(configuration, on: eventLoop)
        } catch let error as MediaError {
            throw HostStartError.media(error)
        } catch {
            throw HostStartError.other(error)
        }
    }
}
