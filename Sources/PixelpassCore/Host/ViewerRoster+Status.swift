extension ViewerRoster {
    /// The share's status from the seats and the live streams' counters:
    /// pure, so the numbers a user sees are tested without a network.
    /// `roundTrip` gives a seated viewer's RTT in milliseconds.
    func status(streams: [ViewerStats], capturing: Bool, now: UInt64,
                roundTrip: (Key) -> Double) -> HostStatus {
        let byViewer = Dictionary(grouping: streams, by: \.viewerID)
        var total = departedBytes
        let viewers = order.compactMap { key -> HostViewerStatus? in
            guard let seat = seats[key] else { return nil }
            let live = byViewer[seat.id] ?? []
            let sent = seat.finishedStreamBytes + live.reduce(0) { $0 + $1.bytesSent }
            total += sent
            var viewer = HostViewerStatus(id: seat.id, address: seat.address, path: seat.path,
                                          connectedSeconds: Double(now &- seat.since) / 1e9,
                                          roundTripMilliseconds: roundTrip(key),
                                          bytesSent: sent, lagBytes: live.reduce(0) { $0 + $1.lagBytes },
                                          keyframeSkips: live.reduce(0) { $0 + $1.keyframeSkips }, streams: live.count)
            // Several streams share one link: the smallest figure is its own.
            viewer.estimatedBitsPerSecond = live.map(\.estimatedBitsPerSecond).min() ?? 0
            viewer.belowFloor = live.contains { $0.belowFloor }
            viewer.name = seat.name
            return viewer
        }
        return HostStatus(viewers: viewers, bytesSent: total, capturing: capturing)
    }
}
