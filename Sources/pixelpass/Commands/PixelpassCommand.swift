import ArgumentParser

struct PixelpassCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixelpass",
        abstract: "Show your screen to a friend, peer to peer.",
        discussion: """
        Menu:   pixelpass           (on a terminal: Host, View, Doctor, Quit)
        Share:  pixelpass host      (prints a ticket for your friend)
        Watch:  pixelpass TICKET    (same as: pixelpass view TICKET)
                pixelpass -         (the ticket from $PIXELPASS_TICKET or stdin:
                                     an argument is visible to other users in ps)
        Check:  pixelpass doctor    (what works on this machine, and fixes)

        Exit codes: 0 success, 2 bad usage or bad ticket, 3 cannot reach the host,
        4 host identity mismatch, 5 refused by the host (secret, full, removed).
        """,
        version: PixelpassVersion.current,
        subcommands: [HostCommand.self, ViewCommand.self, TicketCommand.self, DoctorCommand.self,
                      ConfigCommand.self, CompletionsCommand.self, AppsCommand.self, RepairCommand.self],
        defaultSubcommand: ViewCommand.self
    )
}
