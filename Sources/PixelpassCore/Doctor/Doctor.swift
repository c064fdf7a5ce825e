import PixelpassMedia

/// Runs every check of `pixelpass doctor` in the order they are shown:
/// what the session is, whether it can be captured, encoded and muxed, then
/// the optional parts (hardware encoding, audio, players, clipboard).
public enum Doctor {
    public static func run(_ probes: DoctorProbes) -> DoctorReport {
        let session = SessionKind.detect(environment: probes.environment)
        let portalState = DoctorChecks.probePortal(probes)
        let pipeWireState = DoctorChecks.probePipeWire(probes)
        let x11State: X11DisplayState?
        switch session {
        case .x11: x11State = DoctorChecks.probeX11Display(probes)
        case .wayland, .none: x11State = nil
        }

        var checks = [
            DoctorChecks.session(session),
            DoctorChecks.capture(session: session, x11: x11State, portal: portalState, pipeWire: pipeWireState,
                                 canInstantiate: probes.canInstantiate),
            DoctorChecks.portal(portalState, session: session),
            DoctorChecks.pipeWire(pipeWireState, session: session),
        ]
        checks += DoctorChecks.encoders(MediaDiagnostics.h264Encoders, trial: probes.trialEncoder)
        checks.append(DoctorChecks.vaapi(probes.vaapi()))
        checks.append(DoctorChecks.gstreamerElements(canInstantiate: probes.canInstantiate))
        checks.append(DoctorChecks.audio(probes))
        checks.append(DoctorChecks.players(isInstalled: probes.isInstalled) {
            VLCPlugins.missing(fileExists: probes.fileExists, directories: VLCPlugins.pluginDirectories(environment: probes.environment))
        })
        checks.append(DoctorChecks.clipboard(session: session, tools: Clipboard.availableTools(environment: probes.environment,
                                                                                               isInstalled: probes.isInstalled)))
        return DoctorReport(checks: checks)
    }
}
