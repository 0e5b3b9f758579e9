import Foundation
import MediaStore
import NIOCore
import Synchronization

// `media-store-memory <folder> <megabytes>`: writes an object of that size through
// FileSystemMediaStore from chunks made as they are asked for (as an upload arrives), reads it
// back, and prints how much resident memory (VmRSS) grew at the peak. A process of its own, so
// that other work (tests running beside it) cannot move the figure. MemoryTests runs it.

/// `count` bytes in new 64 KiB buffers, one per chunk, as a request body hands them on.
struct Chunks: AsyncSequence, Sendable {
    let count: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        let count: Int64
        var sent: Int64 = 0

        mutating func next() async -> ByteBuffer? {
            guard sent < count else { return nil }
            let length = Int(Swift.min(65_536, count - sent))
            sent += Int64(length)
            return ByteBuffer(repeating: UInt8(truncatingIfNeeded: sent / 65_536), count: length)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: count) }
}

func residentKilobytes() -> Int64 {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int64(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let megabytes = Int64(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: media-store-memory <folder> <megabytes>\n".utf8))
    exit(2)
}
let store = FileSystemMediaStore(root: arguments[1])
let size = megabytes * 1_000_000
// A small object first: thread pools and allocator arenas start here, not in the measurement.
let warmUp = try MediaKey("memory/warm-up")
_ = try await store.write(warmUp, from: Chunks(count: 4_000_000), limit: 4_000_000)
try await store.read(warmUp, range: nil, etag: nil) { _ in }

let before = residentKilobytes()
let peak = Mutex(before)
let sampler = Task {
    while !Task.isCancelled {
        let now = residentKilobytes()
        peak.withLock { $0 = max($0, now) }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
let key = try MediaKey("memory/object")
let stored = try await store.write(key, from: Chunks(count: size), limit: size)
var read: Int64 = 0
try await store.read(key, range: nil, etag: stored.attributes.etag) { read += Int64($0.readableBytes) }
sampler.cancel()
let after = residentKilobytes()
let grew = max(peak.withLock { $0 }, after) - before
print("size=\(stored.attributes.size) read=\(read) before_kb=\(before) grew_kb=\(grew)")
