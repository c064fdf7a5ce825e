import NIOCore

extension Viewer {
    /// How often the viewer asks the host what it sends (a small request on
    /// the open connection).
    static let hostReportInterval = TimeAmount.seconds(2)
    /// `/v1/info` is a few hundred bytes; a host sending more is not read.
    static let hostReportLimit = 16 * 1024

    /// Asks `/v1/info` every few seconds while connected, so the status can
    /// say when the host lowered the rate or the picture, or serves this
    /// viewer keyframes only because its link is below the host's floor.
    func startHostReports() {
        hostReports = eventLoop.scheduleRepeatedTask(initialDelay: Self.hostReportInterval,
                                                     delay: Self.hostReportInterval) { [weak self] _ in
            self?.askForHostReport()
        }
    }

    /// One request at a time: a host that never answers does not collect
    /// a stream every two seconds.
    private func askForHostReport() {
        guard !hostReportPending,
              let request = try? client.get(StreamAPI.infoPath, headers: requestHeaders)
        else { return }
        hostReportPending = true
        var status = 0
        var body: [UInt8] = []
        var tooLong = false
        request.onResponse = { status = $0.status }
        request.onData = { data in
            guard !tooLong else { return }
            tooLong = body.count + data.count > Self.hostReportLimit
            if !tooLong { body.append(contentsOf: data) }
        }
        request.onEnd = { [weak self] end in
            guard let self else { return }
            self.hostReportPending = false
            guard case .complete = end, status == 200, !tooLong else { return }
            if let report = HostVideoReport(infoJSON: body) {
                self.hostVideo = report
                self.prepareFarewell()
            }
        }
    }
}
