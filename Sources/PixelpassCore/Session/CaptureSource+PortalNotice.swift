import PixelpassMedia

extension CaptureSource {
    /// What the desktop is about to do, said before its dialog; nil when the
    /// source is no portal.
    public var portalNotice: String? {
        guard case let .portal(portal) = self else { return nil }
        if portal.tokenStore?.token(for: portal.offer) != nil {
            return "asking the desktop for the screen chosen last time (--forget-source to choose again)"
        }
        return "asking the desktop what to share: choose a \(portal.offer == .any ? "monitor or window" : portal.offer.rawValue) in its dialog"
    }
}
