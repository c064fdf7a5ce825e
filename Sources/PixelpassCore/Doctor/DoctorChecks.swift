/// The individual checks of `pixelpass doctor`. Each is a small function of
/// injected probes (and of earlier findings) that returns its row; the
/// probing and the judging are split where a later check reuses a finding.
public enum DoctorChecks {}
