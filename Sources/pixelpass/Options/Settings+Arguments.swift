import ArgumentParser
import PixelpassCore

// Flags and the config file share one parser per setting. A named setting
// with a fixed list is a flag value directly: ArgumentParser lists the
// names when one is wrong. The other flags are read as text or numbers and
// go through their setting's parser in `validate()` (HostSettings), because
// a failable `init?(argument:)` cannot say *why* a value is wrong, and the
// setting's own message ("--fps must be an integer between 1 and 120 (got
// 500)") is what tells the user what to do.

extension CaptureSourceName: ExpressibleByArgument {}
