/// Whether a text reached the clipboard; the reason is shown to the user
/// as is, so it says precisely what to do.
public enum ClipboardResult: Equatable, Sendable {
    case copied(tool: String)
    case notCopied(reason: String)
}
