/// A key press (or a paste) from the terminal, decoded from raw bytes.
public enum Key: Equatable, Sendable {
    case up, down, left, right
    /// Scrolling keys: PgUp, PgDn, Home, End.
    case pageUp, pageDown, home, end
    case enter
    case backspace
    case escape
    case tab
    /// Ctrl+C (raw mode delivers it as a byte, not a signal).
    case interrupt
    /// Ctrl+D.
    case endOfInput
    /// Ctrl+U: clear the line being typed.
    case clearLine
    case character(Character)
    /// Text pasted at once (bracketed paste, or a burst of typed text).
    case paste(String)
}
