extension DoctorChecks {
    static func vaapi(_ inventory: VAAPIInventory) -> DoctorCheck {
        switch inventory {
        case let .libraryMissing(library):
            return DoctorCheck(name: "va-api", status: .warning,
                               detail: "libva not installed (apt install libva2 libva-drm2): \(library) does not load",
                               fix: "apt install libva2 libva-drm2")
        case .noDevices:
            return DoctorCheck(name: "va-api", status: .warning,
                               detail: "no VA-API device: hardware encoding unavailable, software encoder is used",
                               fix: "none needed; for hardware encoding use a machine whose GPU is at /dev/dri/renderD*")
        case let .devices(devices):
            let encoders = devices.filter { $0.error == nil && !$0.h264EncodeProfiles.isEmpty }
            if !encoders.isEmpty {
                let text = encoders.map { device in
                    "\(device.path) (\(device.vendor ?? "unknown driver")): H.264 encode \(device.h264EncodeProfiles.joined(separator: ", "))"
                }
                return DoctorCheck(name: "va-api", status: .ok, detail: text.joined(separator: "; "))
            }
            let text = devices.map { device in
                "\(device.path): " + (device.error ?? "\(device.vendor ?? "unknown driver") has no H.264 encode entrypoint")
            }
            return DoctorCheck(name: "va-api", status: .warning,
                               detail: text.joined(separator: "; ") + "; software encoder is used",
                               fix: "install your GPU's VA driver (intel-media-va-driver-non-free or mesa-va-drivers); check access to /dev/dri (group render)")
        }
    }
}
