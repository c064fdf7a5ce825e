import PixelpassMedia

extension DoctorChecks {
    /// A summary row ("h264 encoder", the one the host would pick) followed
    /// by one row per encoder. Only "none works" fails.
    static func encoders(_ encoders: [MediaDiagnostics.EncoderInfo],
                         trial: (String) -> MediaDiagnostics.EncoderTrial) -> [DoctorCheck] {
        let results = encoders.map { ($0, trial($0.name)) }
        let chosen = results.first { $0.1 == .works }?.0
        var rows: [DoctorCheck] = []
        if let chosen {
            rows.append(DoctorCheck(name: "h264 encoder", status: .ok,
                                    detail: "\(chosen.name) (\(chosen.isHardware ? "hardware" : "software")) will be used"))
        } else {
            rows.append(DoctorCheck(name: "h264 encoder", status: .fail, detail: "no H.264 encoder works, so nothing can be streamed",
                                    fix: "apt install gstreamer1.0-plugins-ugly (x264enc)"))
        }
        for (encoder, result) in results {
            let kind = encoder.isHardware ? "hardware" : "software"
            switch result {
            case .works:
                rows.append(DoctorCheck(name: encoder.name, status: .ok, detail: "works (\(kind))"))
            case let .notInstalled(debianPackage):
                rows.append(DoctorCheck(name: encoder.name, status: chosen == nil ? .warning : .info,
                                        detail: "not installed (\(kind))", fix: "apt install \(debianPackage)"))
            case let .failed(reason):
                rows.append(DoctorCheck(name: encoder.name, status: chosen == nil ? .warning : .info,
                                        detail: "unusable (\(kind)): \(reason)"))
            }
        }
        return rows
    }
}
