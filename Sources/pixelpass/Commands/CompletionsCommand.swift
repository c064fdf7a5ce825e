import ArgumentParser

struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print a shell completion script for pixelpass.",
        discussion: """
        Save the script where your shell looks for completions, once:

          bash:  mkdir -p ~/.local/share/bash-completion/completions
                 pixelpass completions bash > ~/.local/share/bash-completion/completions/pixelpass
                 (this shell only: source <(pixelpass completions bash))
          zsh:   mkdir -p ~/.zfunc && pixelpass completions zsh > ~/.zfunc/_pixelpass
                 and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)
          fish:  pixelpass completions fish > ~/.config/fish/completions/pixelpass.fish

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
