/// The report for scripts: one JSON object on one line,
/// `{"sharing_can_work":bool,"checks":[{"name","status","detail","fix"}]}`
/// (`fix` is null when there is nothing to do), keys in this order.
extension DoctorReport {
    public func renderJSON() -> String {
        let rows = checks.map { check -> JSONValue in
            .object([("name", .string(check.name)), ("status", .string(check.status.rawValue)),
                     ("detail", .string(check.detail)), ("fix", check.fix.map(JSONValue.string) ?? .null)])
        }
        return JSONValue.object([("sharing_can_work", .bool(sharingCanWork)), ("checks", .array(rows))]).rendered
    }
}
