import ArgumentParser

struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print a shell completion script for pixelpass.",
        discussion: """
        Save the script where your shell looks for completions, once:

          bash:  d=~/.local/share/bash-completion/completions
                 mkdir -p $d && pixelpass completions bash > $d/pixelpass
                 (this shell only: source <(pixelpass completions bash))
          zsh:   mkdir -p ~/.zfunc
                 pixelpass completions zsh > ~/.zfunc/_pixelpass
                 and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)
          fish:  d=~/.config/fish/completions
                 mkdir -p $d && pixelpass completions fish > $d/pixelpass.fish

        The .deb package installs all three for every user.

        Open a new shell afterwards.
        """
    )

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish

        var completionShell: CompletionShell {
            switch self {
            case .bash: return .bash
            case .zsh: return .zsh
            case .fish: return .fish
            }
        }
    }

    @Argument(help: "The shell to print the script for.")
    var shell: Shell

    func run() {
        print(PixelpassCommand.completionScript(for: shell.completionShell), terminator: "")
    }
}
