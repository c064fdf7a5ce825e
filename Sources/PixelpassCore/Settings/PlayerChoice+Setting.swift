extension PlayerChoice: NamedSetting {
    public static let settingName = "player"
    public static let namesHint: String? = "leave it out to pick automatically"
}
