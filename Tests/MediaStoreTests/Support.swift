import Foundation
import MediaStore
import NIOCore

/// A fresh store in a folder of its own under the system's temporary folder, removed after.
func withTemporaryStore<R>(_ body: (FileSystemMediaStore, String) async throws -> R) async throws -> R {
    let folder = NSTemporaryDirectory() + "media-store-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(FileSystemMediaStore(root: folder), folder)
}

/// `count` bytes in chunks of `chunk`, made as they are asked for (the body is never whole in
/// memory): byte i is `i % 251`.
struct GeneratedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let count: Int64
    var chunk = 64 * 1024
    /// Thrown after this many bytes, as a client that disconnects mid-upload.
    var failAfter: Int64?

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: GeneratedBody
        var sent: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            if let failAfter = body.failAfter, sent >= failAfter { throw BodyCut() }
            guard sent < body.count else { return nil }
            let length = Int(Swift.min(Int64(body.chunk), body.count - sent))
            var buffer = ByteBuffer()
            buffer.reserveCapacity(length)
            let start = sent
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
                for i in 0..<length { pointer[i] = UInt8(truncatingIfNeeded: (start + Int64(i)) % 251) }
                return length
            }
            sent += Int64(length)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
}

struct BodyCut: Error {}

/// Three bytes, then nothing until the reading task is cancelled, when it ends as if the
/// body were whole (as `AsyncStream` does); `waiting` hears when it starts waiting.
struct StallingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let waiting: AsyncStream<Void>.Continuation

    struct AsyncIterator: AsyncIteratorProtocol {
        let waiting: AsyncStream<Void>.Continuation
        var sent = false

        mutating func next() async -> ByteBuffer? {
            if !sent {
                sent = true
                return ByteBuffer(bytes: [1, 2, 3])
            }
            waiting.yield()
            try? await Task.sleep(for: .seconds(3600))
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(waiting: waiting) }
}

/// A body from bytes in memory, in chunks of `chunk`.
func body(_ bytes: [UInt8], chunk: Int = 7) -> AsyncStream<ByteBuffer> {
    AsyncStream { continuation in
        var offset = 0
        while offset < bytes.count {
            continuation.yield(ByteBuffer(bytes: bytes[offset..<min(offset + chunk, bytes.count)]))
            offset += chunk
        }
        continuation.finish()
    }
}

extension MediaStore {
    /// The bytes of `range` (all when nil), collected: for small test objects only.
    func bytes(_ key: MediaKey, range: Range<Int64>? = nil, etag: String? = nil) async throws -> [UInt8] {
        var collected: [UInt8] = []
        try await read(key, range: range, etag: etag) { collected += Array($0.readableBytesView) }
        return collected
    }
}

/// Files under `folder`, relative, sorted (what the store left on disk).
func filesUnder(_ folder: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: folder)
    var files: [String] = []
    while let path = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(path)
        }
    }
    return files.sorted()
}
