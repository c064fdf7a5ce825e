extension DoctorChecks {
    /// A GStreamer element the pipeline may use, and where Debian ships it.
    struct Element: Equatable, Sendable {
        var name: String
        var debianPackage: String
        /// Sharing needs it whatever the source; the rest only for some
        /// sources or for audio.
        var required: Bool
    }

    static let elements: [Element] = [
        Element(name: "videoconvert", debianPackage: "gstreamer1.0-plugins-base", required: true),
        Element(name: "videoscale", debianPackage: "gstreamer1.0-plugins-base", required: true),
        Element(name: "videorate", debianPackage: "gstreamer1.0-plugins-base", required: true),
        Element(name: "appsink", debianPackage: "gstreamer1.0-plugins-base", required: true),
        Element(name: "h264parse", debianPackage: "gstreamer1.0-plugins-bad", required: true),
        Element(name: "mpegtsmux", debianPackage: "gstreamer1.0-plugins-bad", required: true),
        Element(name: "videotestsrc", debianPackage: "gstreamer1.0-plugins-base", required: false),
        Element(name: "ximagesrc", debianPackage: "gstreamer1.0-plugins-good", required: false),
        Element(name: "pipewiresrc", debianPackage: "gstreamer1.0-pipewire", required: false),
        Element(name: "pulsesrc", debianPackage: "gstreamer1.0-plugins-good", required: false),
    ]

    /// Either AAC encoder will do.
    static let aacEncoders: [Element] = [
        Element(name: "avenc_aac", debianPackage: "gstreamer1.0-libav", required: false),
        Element(name: "voaacenc", debianPackage: "gstreamer1.0-plugins-bad", required: false),
    ]

    static func gstreamerElements(canInstantiate: (String) -> Bool) -> DoctorCheck {
        var missing = elements.filter { !canInstantiate($0.name) }
        let aac = aacEncoders.first { canInstantiate($0.name) }
        if aac == nil {
            missing.append(Element(name: "avenc_aac or voaacenc", debianPackage: aacEncoders[0].debianPackage, required: false))
        }
        let total = elements.count + 1
        guard !missing.isEmpty else {
            return DoctorCheck(name: "gst elements", status: .ok,
                               detail: "all \(total) pipeline elements instantiate (AAC: \(aac?.name ?? "?"))")
        }
        let required = missing.contains { $0.required }
        let names = missing.map { $0.name + ($0.required ? " (required)" : "") }
        var packages: [String] = []
        for element in missing where !packages.contains(element.debianPackage) {
            packages.append(element.debianPackage)
        }
        return DoctorCheck(name: "gst elements", status: required ? .fail : .warning,
                           detail: "\(total - missing.count) of \(total) elements instantiate; missing: \(names.joined(separator: ", "))",
                           fix: "apt install \(packages.joined(separator: " "))")
    }
}
