import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MediaStore
import NIOCore
import Testing
@testable import MingleApp

/// `MediaResponse` through Hummingbird's test client: a router with one media route over a
/// store in a temporary folder (no database: who may see the file is decided before).
@Suite struct MediaResponseTests {
    static let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    let key = try! MediaKey("t/watch/v.mp4")

    @Test("200 with every byte and the media headers")
    func whole() async throws {
        try await withMediaApp { client, etag in
            // act
            try await client.execute(uri: "/media", method: .get) { response in
                // check
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == Self.content)
                #expect(response.headers[.contentLength] == "100000")
                #expect(response.headers[.contentType] == "video/mp4")
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(response.headers[.eTag] == etag)
                #expect(response.headers[.cacheControl] == "private")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentRange] == nil)
            }
        }
    }

    @Test("206 with the range asked for", arguments: [
        ("bytes=0-99", 0..<100), ("bytes=99990-", 99_990..<100_000), ("bytes=-10", 99_990..<100_000),
        ("bytes=500-300000", 500..<100_000), ("bytes=70000-70000", 70_000..<70_001),
    ])
    func partial(range: String, bytes: Range<Int>) async throws {
        try await withMediaApp { client, _ in
            // act
            try await client.execute(uri: "/media", method: .get, headers: [.range: range]) { response in
                // check
                #expect(response.status == .partialContent)
                #expect(Array(response.body.readableBytesView) == Array(Self.content[bytes]))
                #expect(response.headers[.contentRange] == "bytes \(bytes.lowerBound)-\(bytes.upperBound - 1)/100000")
                #expect(response.headers[.contentLength] == String(bytes.count))
                #expect(response.headers[.acceptRanges] == "bytes")
            }
        }
    }

    @Test("416 with bytes */size for a range past the end")
    func unsatisfiable() async throws {
        try await withMediaApp { client, _ in
            // act
            try await client.execute(uri: "/media", method: .get, headers: [.range: "bytes=100000-"]) { response in
                // check
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */100000")
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test("304 for If-None-Match with the current tag; 200 for an old one")
    func notModified() async throws {
        try await withMediaApp { client, etag in
            // act / check
            try await client.execute(uri: "/media", method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
            }
            try await client.execute(uri: "/media", method: .get, headers: [.ifNoneMatch: "\"old\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("If-Range: the range for the current tag, the whole object for another")
    func ifRange() async throws {
        try await withMediaApp { client, etag in
            // act / check
            try await client.execute(uri: "/media", method: .get, headers: [.range: "bytes=0-9", .ifRange: etag]) { response in
                #expect(response.status == .partialContent)
                #expect(response.body.readableBytes == 10)
            }
            try await client.execute(uri: "/media", method: .get, headers: [.range: "bytes=0-9", .ifRange: "\"old\""]) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 100_000)
            }
        }
    }

    @Test("several ranges are answered with the whole object")
    func severalRanges() async throws {
        try await withMediaApp { client, _ in
            // act
            try await client.execute(uri: "/media", method: .get, headers: [.range: "bytes=0-9,20-29"]) { response in
                // check
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 100_000)
            }
        }
    }

    @Test("HEAD: the whole object's headers, no body")
    func head() async throws {
        try await withMediaApp { client, etag in
            // act
            try await client.execute(uri: "/media", method: .head, headers: [.range: "bytes=0-9"]) { response in
                // check
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == "100000")
                #expect(response.headers[.eTag] == etag)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test("404 when the object is gone")
    func missing() async throws {
        try await withMediaApp { client, _ in
            // act
            try await client.execute(uri: "/missing", method: .get) { response in
                // check
                #expect(response.status == .notFound)
            }
        }
    }

    /// A router with `/media` (GET and HEAD) serving `content` from a fresh store, and
    /// `/missing`; `body` gets the test client and the object's entity tag.
    func withMediaApp(_ body: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
        let folder = NSTemporaryDirectory() + "media-response-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = FileSystemMediaStore(root: folder)
        let chunks = stride(from: 0, to: Self.content.count, by: 4096).map {
            ByteBuffer(bytes: Self.content[$0..<min($0 + 4096, Self.content.count)])
        }
        let stored = try await store.write(key, from: chunks.async, limit: 1_000_000)
        let key = key
        let router = Router()
        router.get("/media") { request, _ in
            try await MediaResponse.make(for: request, store: store, key: key, contentType: "video/mp4")
        }
        router.head("/media") { request, _ in
            try await MediaResponse.make(for: request, store: store, key: key, contentType: "video/mp4")
        }
        router.get("/missing") { request, _ in
            try await MediaResponse.make(for: request, store: store, key: try MediaKey("t/none.mp4"), contentType: "video/mp4")
        }
        try await Application(router: router).test(.router) { client in
            try await body(client, stored.attributes.etag)
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (a request body's shape).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
