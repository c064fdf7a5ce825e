import Foundation

/// What a trial of one encoder found.
enum EncoderProbeResult: Sendable, Equatable {
    case works
    /// The plugin is not installed; `debianPackage` ships it.
    case notInstalled(debianPackage: String)
    /// Installed but unusable here; `reason` is a short phrase for the log.
    case failed(reason: String)

    var reason: String? {
        switch self {
        case .works: return nil
        case let .notInstalled(debianPackage): return "plugin not installed (\(debianPackage))"
        case let .failed(reason): return reason
        }
    }
}

/// Tries one encoder with the settings the stream will use.
protocol EncoderProber: Sendable {
    func probe(_ encoder: VideoEncoder, bitrateKbps: Int, keyframeInterval: Int) -> EncoderProbeResult
}

/// The encoder decision, separate from how encoders are probed.
enum EncoderChain {
    struct Decision: Equatable {
        var encoder: VideoEncoder
        /// Encoders passed over before `encoder`, best first, with why.
        var skipped: [Skip]
    }

    struct Skip: Equatable {
        var encoder: VideoEncoder
        var reason: String
    }

    static let hardwareDisabledReason = "hardware encoding turned off (--no-hwencode)"

    /// `probe` is called lazily, best encoder first, and not again once one works.
    static func choose(_ choice: EncoderChoice, probe: (VideoEncoder) -> EncoderProbeResult) throws -> Decision {
        switch choice {
        case let .automatic(allowHardware):
            var skipped: [Skip] = []
            for encoder in VideoEncoder.allCases {
                if encoder.isHardware && !allowHardware {
                    skipped.append(Skip(encoder: encoder, reason: hardwareDisabledReason))
                    continue
                }
                let result = probe(encoder)
                guard let reason = result.reason else {
                    return Decision(encoder: encoder, skipped: skipped)
                }
                skipped.append(Skip(encoder: encoder, reason: reason))
            }
            throw MediaError.noWorkingEncoder(tried: skipped.map { "\($0.encoder.name): \($0.reason)" })

        case let .named(name):
            guard let encoder = VideoEncoder(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw MediaError.unknownEncoder(name)
            }
            let result = probe(encoder)
            guard let reason = result.reason else {
                return Decision(encoder: encoder, skipped: [])
            }
            // Only now, on the way to an error, are the others tried, so the
            // message can say which would work.
            let working = VideoEncoder.allCases.filter { $0 != encoder && probe($0) == .works }.map(\.name)
            var package: String?
            if case let .notInstalled(debianPackage) = result {
                package = debianPackage
            }
            throw MediaError.encoderUnavailable(name: encoder.name, reason: reason, debianPackage: package, working: working)
        }
    }
}
