/// How `host` and `view` run without the menu: a session's events are
/// rendered on the main thread in the order they happened, SIGINT and
/// SIGTERM ask the session to stop, and the last event gives the exit status.
enum HeadlessLoop {
    /// `start` starts the session with the sink it must send events to and
    /// returns how to stop it; `render` returns a status once the session ended.
    static func run<Event: Sendable>(start: (@escaping @Sendable (Event) -> Void) -> () -> Void,
                           render: (Event) -> ExitStatus?) -> ExitStatus {
        let inbox = MainThreadEvents<Event>()
        let stop = start { inbox.post($0) }
        while true {
            switch inbox.next() {
            case .interrupted:
                stop()
            case .event(let event):
                if let status = render(event) { return status }
            }
        }
    }
}
