/// Where pixelpass keeps files it can remake: `$XDG_CACHE_HOME/pixelpass/`
/// (an absolute one), else `~/.cache/pixelpass/`.
enum CacheLocation {
    /// The path of `name` there; nil when neither variable says where caches go.
    static func file(_ name: String, environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return xdg + "/pixelpass/" + name
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.cache/pixelpass/" + name
        }
        return nil
    }
}
