import Foundation
import Testing

/// A 200 MB object through the store without keeping it. `media-store-memory` (a process of its
/// own, so tests running beside it cannot move the figure) writes it from generated chunks and
/// reads it back while sampling its resident memory every 10 ms. The bound is 20 MB over what
/// it had after a 4 MB warm-up: the store's own buffers are 256 KiB, the rest is allocator
/// slack. Had the store collected the body, growth would be at least 200 MB.
@Suite struct MemoryTests {
    static let megabytes = 200
    static let boundKilobytes: Int64 = 20_000

    @Test("writing and reading 200 MB grows resident memory by less than 20 MB")
    func flatMemory() async throws {
        try await withTemporaryStore { _, folder in
            // setup
            let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("media-store-memory").path
            try #require(FileManager.default.isExecutableFile(atPath: tool), "swift build --build-tests builds \(tool)")

            // act
            let (status, output) = try await run(tool, [folder, String(Self.megabytes)])

            // check
            try #require(status == 0, "media-store-memory: \(output)")
            let figures = Dictionary(uniqueKeysWithValues: output.split(whereSeparator: \.isWhitespace).compactMap { field -> (String, Int64)? in
                let parts = field.split(separator: "=")
                return parts.count == 2 ? (String(parts[0]), Int64(parts[1]) ?? -1) : nil
            })
            let grew = try #require(figures["grew_kb"])
            print("[figures] media store, \(Self.megabytes) MB written and read back: resident memory grew \(grew) kB at the peak (bound \(Self.boundKilobytes) kB)")
            #expect(figures["size"] == Int64(Self.megabytes) * 1_000_000)
            #expect(figures["read"] == Int64(Self.megabytes) * 1_000_000)
            #expect(grew < Self.boundKilobytes)
        }
    }

    /// Runs `tool` to its end; its exit status and standard output.
    func run(_ tool: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                continuation.resume(returning: (process.terminationStatus, text))
            }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
