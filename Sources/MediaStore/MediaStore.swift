import Foundation
import NIOCore
import NIOFileSystem

/// What serving and caching need to know about a stored object.
public struct MediaAttributes: Sendable, Equatable {
    public let size: Int64
    /// A strong entity tag, quoted as it goes in the `ETag` header: `"…"`.
    public let etag: String
    public let modified: Date

    public init(size: Int64, etag: String, modified: Date) {
        self.size = size
        self.etag = etag
        self.modified = modified
    }
}

/// An object just written: its attributes and the SHA-256 of its bytes (hex), which the
/// caller may keep beside the object's row.
public struct StoredMedia: Sendable, Equatable {
    public let key: MediaKey
    public let attributes: MediaAttributes
    public let sha256: String
}

/// Files too large for table rows (DESIGN §13): uploaded videos, shared files, recordings.
/// Objects are written whole and never changed in place — a write replaces the object
/// atomically — so an entity tag names one exact sequence of bytes. Which tenant owns an
/// object is the business of the caller's row (under RLS), whose key it built.
public protocol MediaStore: Sendable {
    /// Streams `body` into the object at `key`, replacing any object there at once and only
    /// when the whole body has arrived. A body longer than `limit` bytes throws
    /// `MediaStoreError.tooLarge` as soon as the limit is passed, and nothing is left behind;
    /// so does any other failure or cancellation.
    func write<Body: AsyncSequence>(_ key: MediaKey, from body: Body, limit: Int64) async throws -> StoredMedia
        where Body.Element == ByteBuffer

    /// The object's attributes, or nil when there is none.
    func attributes(of key: MediaKey) async throws -> MediaAttributes?

    /// Reads `range` of the object (all of it when nil), handing `consume` one chunk at a
    /// time: memory stays flat whatever the object's size. With `etag`, throws
    /// `MediaStoreError.changed` before any byte is read if the object is no longer that one
    /// (it was replaced after its attributes were read). Throws `notFound` when it is absent.
    func read(_ key: MediaKey, range: Range<Int64>?, etag: String?,
              into consume: (ByteBuffer) async throws -> Void) async throws

    /// Removes the object; false when there was none.
    @discardableResult
    func delete(_ key: MediaKey) async throws -> Bool
}

extension MediaStore {
    /// Streams a file of this node (ffmpeg's output, say) into the object at `key`, as `write`.
    public func write(_ key: MediaKey, fromFileAt path: String, limit: Int64) async throws -> StoredMedia {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { file in
            try await write(key, from: file.readChunks(chunkLength: .kibibytes(256)), limit: limit)
        }
    }
}
