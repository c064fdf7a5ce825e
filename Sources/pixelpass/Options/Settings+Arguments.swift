import ArgumentParser
import PixelpassCore

// The setting types as flag values: each goes through the same one parser
// as the config file's key. Value lists and completions stay as they were
// for the flags these replace (free text or a number), so help output and
// completion scripts do not change with the switch.

extension CaptureSourceName: ExpressibleByArgument {}

extension EncoderName: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(validating: argument)
    }

    public static var allValueStrings: [String] { [] }
    public static var defaultCompletionKind: CompletionKind { .default }
}

extension BoundedInteger: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(validating: argument)
    }
}

extension VideoSize: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(validating: argument)
    }
}

extension BindAddress: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(validating: argument)
    }
}

extension STUNServer: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(validating: argument)
    }
}

extension TURNServerURL: ExpressibleByArgument {
    public init?(argument: String) {
        try? self.init(validating: argument)
    }
}
