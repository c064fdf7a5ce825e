import NIOCore

extension Viewer {
    /// How often the viewer asks the host what it sends (a small request on
    /// the open connection).
    static let hostReportInterval = TimeAmount.seconds(2)

    /// Asks `/v1/info` every few seconds while connected, so the status can
    /// say when the host lowered the rate or the picture, or serves this
    /// viewer keyframes only because its link is below the host's floor.
    func startHostReports() {
        hostReports = eventLoop.scheduleRepeatedTask(initialDelay: Self.hostReportInterval,
                                                     delay: Self.hostReportInterval) { [weak self] _ in
            self?.askForHostReport()
        }
    }

    private func askForHostReport() {
        guard let request = try? client.get(StreamAPI.infoPath, headers: [(StreamAPI.secretHeader, ticket.secretHex)])
        else { return }
        var status = 0
        var body: [UInt8] = []
        request.onResponse = { status = $0.status }
        request.onData = { body.append(contentsOf: $0) }
        request.onEnd = { [weak self] end in
            guard let self, case .complete = end, status == 200 else { return }
            if let report = HostVideoReport(infoJSON: body) { self.hostVideo = report }
        }
    }
}
