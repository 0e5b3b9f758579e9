import Foundation
import Synchronization

/// Runs a command-line tool (ffprobe, ffmpeg) with Foundation's `Process`. Its output is read
/// by blocking reads on threads of their own — never on the cooperative pool, which a read
/// that waits minutes for ffmpeg would starve. Cancelling the calling task terminates the tool.
enum ToolProcess {
    struct Finished: Sendable {
        let status: Int32
        /// Standard output, kept only when asked (ffprobe's JSON), at most `keepLimit` bytes.
        let stdout: Data
        /// The last few kilobytes of standard error: why it failed.
        let stderrTail: String
    }

    static let keepLimit = 4 << 20
    static let stderrKeep = 8 << 10

    /// The tool's full path: `name` as given when it has a `/`, else the first match on PATH.
    static func locate(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`; `onOutput` sees standard output as it comes (on a
    /// reader thread). Throws `CancellationError` when the task was cancelled (the tool is
    /// sent SIGTERM, then SIGKILL if it has not gone a second later).
    static func run(_ executable: String, _ arguments: [String], keepStdout: Bool = false,
                    onOutput: @escaping @Sendable (Data) -> Void = { _ in }) async throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        // This process's copies of the write ends, closed so that end of file comes when the tool
        // exits (Foundation on Linux keeps them open; closing a FileHandle twice only throws).
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        let finished: Finished = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let stderrTail = Mutex(Data())
                let stderrDone = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    while case let chunk = errors.fileHandleForReading.availableData, !chunk.isEmpty {
                        stderrTail.withLock { tail in
                            tail.append(chunk)
                            if tail.count > stderrKeep { tail.removeFirst(tail.count - stderrKeep) }
                        }
                    }
                    stderrDone.signal()
                }
                Thread.detachNewThread {
                    var kept = Data()
                    while case let chunk = output.fileHandleForReading.availableData, !chunk.isEmpty {
                        if keepStdout, kept.count < keepLimit { kept.append(chunk.prefix(keepLimit - kept.count)) }
                        onOutput(chunk)
                    }
                    stderrDone.wait()
                    process.waitUntilExit()
                    let tail = stderrTail.withLock { String(decoding: $0, as: UTF8.self) }
                    continuation.resume(returning: Finished(status: process.terminationStatus, stdout: kept, stderrTail: tail))
                }
            }
        } onCancel: {
            // Only while it runs: a reaped tool's pid may already be another process's.
            guard process.isRunning else { return }
            kill(pid, SIGTERM)
            // ffmpeg finishes its output file on SIGTERM; one that hangs is killed.
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 1)
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        try Task.checkCancellation()
        return finished
    }
}
