#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs a program to its end and returns its exit status, with stdin, stdout and stderr on
/// /dev/null (or stdout+stderr appended to `log`).
///
/// Not Foundation's `Process`: on Linux it learns that a child ended through a descriptor the
/// child inherits, so a script that leaves a daemon behind (scripts/janus.sh starting Janus)
/// never counts as ended. Here the exit is learnt from `waitpid`, which a grandchild cannot hold up.
public func runCommand(_ arguments: [String], directory: String? = nil, log: String? = nil) async throws -> Int32 {
    precondition(!arguments.isEmpty)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    let output = log ?? "/dev/null"
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // The working directory is set by a shell, as posix_spawn_file_actions_addchdir is not everywhere.
    let argv = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + arguments } ?? arguments
    let cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { environment.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawnp(&pid, argv[0], &actions, nil, cArguments, environment)
    guard spawned == 0 else { throw CommandError(description: "could not start \(argv[0]): error \(spawned)") }
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { break }
        if result < 0 && errno != EINTR { throw CommandError(description: "waitpid failed: \(errno)") }
        try await Task.sleep(for: .milliseconds(20))
    }
    // WIFEXITED / WEXITSTATUS are macros Swift does not import.
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

public struct CommandError: Error, CustomStringConvertible {
    public let description: String
}
