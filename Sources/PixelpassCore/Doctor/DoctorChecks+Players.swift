extension DoctorChecks {
    /// The viewer opens mpv or VLC; without either it still prints a URL.
    static func players(isInstalled: (String) -> Bool, vlcMissingPlugin: () -> VLCPlugins.Missing?) -> DoctorCheck {
        let mpv = isInstalled("mpv")
        let vlc = ["vlc", "cvlc"].first(where: isInstalled)
        let missing = vlc == nil ? nil : vlcMissingPlugin()
        var found: [String] = []
        if mpv { found.append("mpv") }
        if let vlc {
            found.append(missing.map { "\(vlc) (cannot play: its \($0.purpose) plugin \($0.file) is missing)" } ?? vlc)
        }
        if mpv || (vlc != nil && missing == nil) {
            return DoctorCheck(name: "players", status: .ok, detail: found.joined(separator: ", "),
                               fix: missing.map { "apt install \($0.debianPackage)" })
        }
        if let missing {
            return DoctorCheck(name: "players", status: .warning, detail: found.joined(separator: ", "),
                               fix: "apt install \(missing.debianPackage) (or apt install mpv)")
        }
        return DoctorCheck(name: "players", status: .warning,
                           detail: "neither mpv nor VLC is installed: the viewer prints a URL for any player",
                           fix: "apt install mpv")
    }
}
