import PixelpassCore
import PixelpassTerminal

/// Everything the interactive menu waits for, in one inbox on the main
/// thread: keys, timers, resizes, and what a running session reports.
enum MenuEvent {
    case key(Key)
    case resized
    case tick
    case log(String)
    case host(HostSessionEvent)
    case view(ViewSessionEvent)
    case doctor(DoctorReport)
}

/// How a screen ended: back to the main menu, or leave pixelpass (Ctrl+C, Quit).
enum FlowResult {
    case back(note: String?)
    case quit
}
