import ArgumentParser
import Foundation
import PixelpassCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show where the configuration file is and what it sets.",
        discussion: """
        The file holds defaults for pixelpass host ([host]) and pixelpass view
        ([view]); flags on the command line override it. It is looked for at
        $PIXELPASS_CONFIG, else $XDG_CONFIG_HOME/pixelpass/config.toml,
        else ~/.config/pixelpass/config.toml.
        A missing file is fine: the built-in defaults apply.

        Examples:
          pixelpass config path       where the file is, and whether it exists
          pixelpass config init       write a commented template there to edit
          pixelpass config show       the settings in effect, and where from
          PIXELPASS_CONFIG=./try.toml pixelpass config show
        """,
        subcommands: [Path.self, Show.self, Init.self]
    )

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the config file's path (stdout); say on stderr whether it exists."
        )

        func run() throws {
            let location = try ConfigArguments.location()
            Console.output(location.path)
            if FileManager.default.fileExists(atPath: location.path) {
                Console.info("the file exists (\(location.rule.description))")
            } else {
                Console.info("no file there (\(location.rule.description)): built-in defaults apply; "
                             + "create one with: pixelpass config init")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the settings in effect as TOML, each marked as from the file or a default.",
            discussion: "Exits 2 and names the file and line if the file is not valid."
        )

        func run() throws {
            let loaded = try ConfigArguments.load()
            print(loaded.renderEffective(automaticPlayer: PlayerChoice.automatic()), terminator: "")
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a commented template to the config file's path (never overwrites)."
        )

        func run() throws {
            let location = try ConfigArguments.location()
            do {
                try ConfigTemplate.write(to: location.path)
            } catch {
                Console.error(error.description)
                throw ExitCode.failure
            }
            Console.output(location.path)
            Console.info("wrote a template with every setting commented out; edit it, then check it with: pixelpass config show")
        }
    }
}

/// Config errors become exit 2 (bad usage) with the file and line in the message.
enum ConfigArguments {
    static func location() throws -> ConfigLocation {
        do {
            return try ConfigLocation.resolve(environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.error(error.description)
            throw ExitStatus.usage.exitCode
        }
    }

    static func load() throws -> LoadedConfig {
        do {
            return try PixelpassConfig.load(environment: ProcessInfo.processInfo.environment)
        } catch {
            for line in error.description.split(separator: "\n") { Console.error(String(line)) }
            throw ExitStatus.usage.exitCode
        }
    }
}
