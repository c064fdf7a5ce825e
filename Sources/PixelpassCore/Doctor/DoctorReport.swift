/// Every check of one doctor run, in the order they are shown.
public struct DoctorReport: Equatable, Sendable {
    public var checks: [DoctorCheck]

    public init(checks: [DoctorCheck]) {
        self.checks = checks
    }

    /// Sharing can work when nothing failed: the checks that can fail are
    /// exactly those sharing needs (a capture source, an H.264 encoder, the
    /// pipeline's elements).
    public var sharingCanWork: Bool {
        !checks.contains { $0.status == .fail }
    }

    /// 0 when sharing can work, 1 otherwise.
    public var exitCode: Int32 {
        sharingCanWork ? 0 : 1
    }

    public func check(named name: String) -> DoctorCheck? {
        checks.first { $0.name == name }
    }
}
