import Crypto
import Foundation
import NIOCore
import NIOFileSystem
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The media store in a folder (several nodes share it as a mounted volume). An object is the
/// file `<root>/<key>`. A write goes to a file in `<root>/.incoming` first — on the same
/// filesystem, so the final `rename(2)` is atomic — and a reader sees either the old object or
/// the new one, never part of one. That file is unnamed while the body arrives (NIO opens new
/// files with `O_TMPFILE` where the filesystem has it, else as a hidden file it renames) and
/// becomes `.incoming/<random>.part` only once the whole body is written and synced; a failed
/// write is discarded, so a crash can leave at most NIO's hidden file or a `.part` file, which
/// `removeAbandonedWrites` sweeps. Keys cannot start a component with `.`, so `.incoming` is
/// the store's own.
///
/// The entity tag is made from the file's identity: inode, size and modification time in
/// nanoseconds. Since a file is never written again once renamed into place, those name its
/// bytes; two different objects could share them only if a key were rewritten with the same
/// size within one tick of the filesystem's clock and got the inode just freed — keys are
/// built from fresh UUIDs and objects are written once, so this does not happen in practice.
#if canImport(Glibc)
private let systemRename = Glibc.rename
#elseif canImport(Darwin)
private let systemRename = Darwin.rename
#endif

public struct FileSystemMediaStore: MediaStore {
    public let root: FilePath
    private let fileSystem: FileSystem

    /// Chunks read and handed on (and buffered before a write): large enough that a 200 MB
    /// object costs a few thousand system calls, small enough that memory stays flat.
    static let chunkLength = ByteCount.kibibytes(256)

    public init(root: String, fileSystem: FileSystem = .shared) {
        self.root = FilePath(root)
        self.fileSystem = fileSystem
    }

    /// Where the object is on this node's disk (for tools that take a path: ffmpeg).
    public func localPath(of key: MediaKey) -> String {
        root.appending(key.path).string
    }

    var incoming: FilePath { root.appending(".incoming") }

    public func write<Body: AsyncSequence>(_ key: MediaKey, from body: Body, limit: Int64) async throws -> StoredMedia
        where Body.Element == ByteBuffer
    {
        let destination = root.appending(key.path)
        try await fileSystem.createDirectory(at: incoming, withIntermediateDirectories: true, permissions: nil)
        let temporary = incoming.appending("\(UUID().uuidString.lowercased()).part")
        var hash = SHA256()
        do {
            try await fileSystem.withFileHandle(forWritingAt: temporary, options: .newFile(replaceExisting: false)) { handle in
                var writer = handle.bufferedWriter(capacity: Self.chunkLength)
                var written: Int64 = 0
                for try await buffer in body {
                    written += Int64(buffer.readableBytes)
                    // Refused as soon as the limit is passed: the rest of the body is never read.
                    guard written <= limit else { throw MediaStoreError.tooLarge(limit: limit) }
                    buffer.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                    try await writer.write(contentsOf: buffer)
                }
                // A body cut short by cancellation may end as if it were whole (AsyncStream does).
                try Task.checkCancellation()
                try await writer.flush()
                // On disk before it takes the key: a crash leaves the old object or the whole new one.
                try await handle.synchronize()
            }
            try await fileSystem.createDirectory(at: destination.removingLastComponent(), withIntermediateDirectories: true,
                                                 permissions: nil)
            try await Self.rename(temporary, to: destination)
        } catch {
            _ = try? await fileSystem.removeItem(at: temporary, strategy: .platformDefault)
            throw error
        }
        guard let info = try await fileSystem.info(forFileAt: destination) else { throw MediaStoreError.notFound(key) }
        let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
        return StoredMedia(key: key, attributes: Self.attributes(info), sha256: digest)
    }

    public func attributes(of key: MediaKey) async throws -> MediaAttributes? {
        guard let info = try await fileSystem.info(forFileAt: root.appending(key.path)), info.type == .regular else { return nil }
        return Self.attributes(info)
    }

    public func read(_ key: MediaKey, range: Range<Int64>?, etag: String?,
                     into consume: (ByteBuffer) async throws -> Void) async throws {
        let path = root.appending(key.path)
        let handle: ReadFileHandle
        do {
            handle = try await fileSystem.openFile(forReadingAt: path, options: OpenOptions.Read())
        } catch let error as FileSystemError where error.code == .notFound {
            throw MediaStoreError.notFound(key)
        }
        do {
            // The open file is the object from now on, whatever happens to the key.
            let attributes = Self.attributes(try await handle.info())
            if let etag, etag != attributes.etag { throw MediaStoreError.changed(key) }
            let range = range ?? 0..<attributes.size
            guard range.lowerBound >= 0, range.upperBound <= attributes.size else {
                throw MediaStoreError.rangeOutOfBounds(range, size: attributes.size)
            }
            for try await chunk in handle.readChunks(in: range, chunkLength: Self.chunkLength) {
                try await consume(chunk)
            }
        } catch {
            try? await handle.close()
            throw error
        }
        try await handle.close()
    }

    @discardableResult
    public func delete(_ key: MediaKey) async throws -> Bool {
        let path = root.appending(key.path)
        guard let info = try await fileSystem.info(forFileAt: path, infoAboutSymbolicLink: true), info.type == .regular else {
            return false
        }
        return try await fileSystem.removeItem(at: path, strategy: .platformDefault) > 0
    }

    /// Files left in `.incoming` by a node that stopped mid-write, older than `age`: removed
    /// (a write under way is younger). Returns how many.
    @discardableResult
    public func removeAbandonedWrites(olderThan age: Duration, now: Date = Date()) async throws -> Int {
        guard try await fileSystem.info(forFileAt: incoming) != nil else { return 0 }
        var removed = 0
        let cutoff = now.timeIntervalSince1970 - Double(age.components.seconds)
        let entries = try await fileSystem.withDirectoryHandle(atPath: incoming) { directory in
            try await directory.listContents().reduce(into: [DirectoryEntry]()) { $0.append($1) }
        }
        for entry in entries where entry.type == .regular {
            guard let info = try await fileSystem.info(forFileAt: entry.path) else { continue }
            let modified = Double(info.lastDataModificationTime.seconds)
            if modified < cutoff {
                removed += try await fileSystem.removeItem(at: entry.path, strategy: .platformDefault)
            }
        }
        return removed
    }

    static func attributes(_ info: FileInfo) -> MediaAttributes {
        let time = info.lastDataModificationTime
        let inode = info.platformSpecificStatus.map { UInt64($0.st_ino) } ?? 0
        let etag = "\"\(String(inode, radix: 16))-\(String(info.size, radix: 16))-\(String(time.seconds, radix: 16)).\(String(time.nanoseconds, radix: 16))\""
        let modified = Date(timeIntervalSince1970: Double(time.seconds) + Double(time.nanoseconds) / 1e9)
        return MediaAttributes(size: info.size, etag: etag, modified: modified)
    }

    /// `rename(2)`, which replaces the destination atomically (NIO's `moveItem` refuses an
    /// existing destination and its `replaceItem` removes it first, leaving a moment with no
    /// object). On NIO's thread pool, not the cooperative one: on a network volume it may block.
    static func rename(_ source: FilePath, to destination: FilePath) async throws {
        let (from, to) = (source.string, destination.string)
        let code = try await NIOThreadPool.singleton.runIfActive { () -> Int32 in
            systemRename(from, to) == 0 ? 0 : errno
        }
        if code != 0 { throw MediaStoreError.io("rename \(from) → \(to): \(String(cString: strerror(code)))") }
    }
}
