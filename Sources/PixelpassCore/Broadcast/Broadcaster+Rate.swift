import NIOCore
import PixelpassMedia

// The rate side of the broadcaster: every `RateController.interval` it
// samples each viewer's link and applies the controller's decisions to the
// running pipeline (bitrate, picture) and to the skip threshold.
extension Broadcaster {
    /// Samples every viewer's link and applies what the controller decides.
    func sampleLinks() {
        guard rate != nil, pipeline != nil else { return }
        var samples: [ViewerID: LinkSample] = [:]
        for (id, responder) in responders {
            let path = responder.pathStatistics
            samples[id] = LinkSample(acknowledgedBytes: responder.acknowledgedBytes,
                                     unsentBytes: responder.unsentBytes,
                                     smoothedRTT: Double(path?.smoothedRTT ?? 0) / 1e9,
                                     minimumRTT: Double(path?.minimumRTT ?? 0) / 1e9)
        }
        let producedRate = produced.add(producedBytes, at: now)
        let limitBefore = rate?.limit
        guard let actions = rate?.sample(samples, produced: producedRate, now: now) else { return }
        for action in actions {
            switch action {
            case .setBitrate(let kbps):
                logger.debug("video bitrate \(kbps) kbit/s")
                let pipeline = self.pipeline
                mediaControl { pipeline?.setVideoBitrate(kbps: kbps) }
                updateBacklogLimit()
            case .setPicture(let picture):
                logger.info("video now \(picture) to fit \(rate?.targetKbps ?? 0) kbit/s")
                let pipeline = self.pipeline
                mediaControl { pipeline?.setPicture(picture) }
            case .belowFloor(let id, let below):
                let viewer = responders[id]?.viewerID ?? "?"
                if below {
                    logger.info("viewer \(viewer) cannot take the floor of \(rate?.configuration.floorKbps ?? 0) kbit/s: it gets keyframes only, the others keep their rate")
                } else {
                    logger.info("viewer \(viewer) takes the stream again")
                }
            }
        }
        logLimitChange(from: limitBefore)
    }

    /// One line when what limits the rate changes, not one per adjustment.
    func logLimitChange(from before: RateLimit?) {
        guard let rate, let after = rate.limit, after != before else { return }
        switch after {
        case .uplink: logger.info("the network is the limit: video at \(rate.targetKbps) kbit/s of \(rate.configuration.ceilingKbps) allowed")
        case .ceiling: logger.info("video back at the full \(rate.configuration.ceilingKbps) kbit/s")
        }
    }

    /// Skip a viewer's backlog once it holds about a second of the stream:
    /// later data would arrive too late to show anyway.
    func updateBacklogLimit() {
        guard let rate else { return }
        let second = Int(rate.streamRate(videoKbps: rate.targetKbps) / 8)
        machine.maxBacklogBytes = min(configuredBacklogLimit, max(Self.minimumBacklogLimit, second))
    }

    /// Below this a keyframe alone would count as falling behind.
    static let minimumBacklogLimit = 128 * 1024

    /// A fresh pipeline starts at the rate and picture the links allow now.
    func applyCurrentRate(to pipeline: any BroadcastSource) {
        guard let rate else { return }
        let kbps = rate.targetKbps, picture = rate.picture
        let nominal = rate.configuration
        mediaControl {
            if kbps != nominal.ceilingKbps { pipeline.setVideoBitrate(kbps: kbps) }
            if picture != nominal.nominal { pipeline.setPicture(picture) }
        }
    }

    func startRateTimer() {
        guard rate != nil, rateTimer == nil else { return }
        let interval = TimeAmount.nanoseconds(Int64(RateController<ViewerID>.interval))
        rateTimer = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in
            self?.sampleLinks()
        }
    }

    func stopRateTimer() {
        rateTimer?.cancel()
        rateTimer = nil
    }
}
