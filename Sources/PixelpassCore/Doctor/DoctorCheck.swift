/// One row of `pixelpass doctor`: what was checked, how it came out, what
/// was found, and (unless it is fine) the one thing to do about it.
public struct DoctorCheck: Equatable, Sendable {
    public var name: String
    public var status: DoctorStatus
    public var detail: String
    public var fix: String?

    public init(name: String, status: DoctorStatus, detail: String, fix: String? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
    }
}
