import Foundation
import MediaStore
import NIOCore
import Testing

/// `FileSystemMediaStore` on a real folder.
@Suite struct FileSystemMediaStoreTests {
    let key = try! MediaKey("0b8f0c9e-2f6a-4f57-a1d5-3c2b1e0f9a11/watch/3d1f.mp4")

    @Test("writes an object and reads it whole and by ranges")
    func writesAndReads() async throws {
        try await withTemporaryStore { store, folder in
            // setup
            let content = (0..<1000).map { UInt8($0 % 256) }

            // act
            let stored = try await store.write(key, from: body(content), limit: 1000)

            // check
            #expect(stored.attributes.size == 1000)
            #expect(try await store.attributes(of: key) == stored.attributes)
            #expect(try await store.bytes(key) == content)
            #expect(try await store.bytes(key, range: 0..<1) == [0])
            #expect(try await store.bytes(key, range: 100..<356) == Array(content[100..<356]))
            #expect(try await store.bytes(key, range: 999..<1000) == [content[999]])
            #expect(try await store.bytes(key, range: 500..<500) == [])
            #expect(filesUnder(folder) == [key.path])
        }
    }

    @Test("the SHA-256 is of the bytes written")
    func digest() async throws {
        try await withTemporaryStore { store, _ in
            // act
            let stored = try await store.write(key, from: body(Array("abc".utf8)), limit: 10)

            // check: FIPS 180-2's example
            #expect(stored.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }

    @Test("an object of exactly the limit is stored; one byte more is refused and leaves nothing")
    func limit() async throws {
        try await withTemporaryStore { store, folder in
            // setup
            let other = try MediaKey("t/watch/other.mp4")

            // act
            let atLimit = try await store.write(key, from: GeneratedBody(count: 100_000, chunk: 4096), limit: 100_000)
            await #expect(throws: MediaStoreError.tooLarge(limit: 100_000)) {
                try await store.write(other, from: GeneratedBody(count: 100_001, chunk: 4096), limit: 100_000)
            }

            // check
            #expect(atLimit.attributes.size == 100_000)
            #expect(try await store.attributes(of: other) == nil)
            #expect(filesUnder(folder) == [key.path], "no partial file in .incoming or at the key")
        }
    }

    @Test("a body that fails midway leaves nothing, and an older object at the key untouched")
    func failedBody() async throws {
        try await withTemporaryStore { store, folder in
            // setup
            let first = try await store.write(key, from: body([1, 2, 3]), limit: 10)

            // act
            await #expect(throws: BodyCut.self) {
                try await store.write(key, from: GeneratedBody(count: 1_000_000, chunk: 1000, failAfter: 500_000), limit: 2_000_000)
            }

            // check
            #expect(try await store.bytes(key) == [1, 2, 3])
            #expect(try await store.attributes(of: key) == first.attributes)
            #expect(filesUnder(folder) == [key.path])
        }
    }

    @Test("a write cancelled while the body arrives leaves nothing")
    func cancelled() async throws {
        try await withTemporaryStore { store, folder in
            // setup: a body that sends a little and then waits, as a slow upload
            let (waiting, signal) = AsyncStream<Void>.makeStream()
            let key = key
            let write = Task { try await store.write(key, from: StallingBody(waiting: signal), limit: 1000) }
            for await _ in waiting { break }

            // act
            write.cancel()
            let result = await write.result

            // check: a body that ends because its task was cancelled is not a whole body
            let attributes = try await store.attributes(of: key)
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(attributes == nil)
            #expect(filesUnder(folder) == [])
        }
    }

    @Test("a local file is streamed in")
    func fromFile() async throws {
        try await withTemporaryStore { store, folder in
            // setup
            let path = folder + "-input.bin"
            let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
            try Data(content).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }

            // act
            let stored = try await store.write(key, fromFileAt: path, limit: 300_000)

            // check
            #expect(stored.attributes.size == 300_000)
            #expect(try await store.bytes(key) == content)
            await #expect(throws: MediaStoreError.tooLarge(limit: 299_999)) {
                try await store.write(try MediaKey("t/small"), fromFileAt: path, limit: 299_999)
            }
        }
    }

    @Test("a write replaces the object, with a new entity tag; reading with the old tag is refused")
    func replaces() async throws {
        try await withTemporaryStore { store, _ in
            // setup
            let first = try await store.write(key, from: body([1, 2, 3]), limit: 10)

            // act
            let second = try await store.write(key, from: body([4, 5, 6]), limit: 10)

            // check: same size, still another tag
            #expect(first.attributes.etag != second.attributes.etag)
            #expect(try await store.bytes(key) == [4, 5, 6])
            await #expect(throws: MediaStoreError.changed(key)) { try await store.bytes(key, etag: first.attributes.etag) }
            #expect(try await store.bytes(key, etag: second.attributes.etag) == [4, 5, 6])
        }
    }

    @Test("entity tags are strong, quoted, and differ between objects")
    func entityTags() async throws {
        try await withTemporaryStore { store, _ in
            // act
            let a = try await store.write(try MediaKey("t/a"), from: body([1]), limit: 10)
            let b = try await store.write(try MediaKey("t/b"), from: body([1]), limit: 10)

            // check
            for tag in [a.attributes.etag, b.attributes.etag] {
                #expect(tag.hasPrefix("\"") && tag.hasSuffix("\"") && !tag.hasPrefix("W/"))
                #expect(RangeRequests.entityTag(tag) != nil)
            }
            #expect(a.attributes.etag != b.attributes.etag)
        }
    }

    @Test("a range outside the object is refused; a missing object is notFound")
    func readRefusals() async throws {
        try await withTemporaryStore { store, _ in
            // setup
            _ = try await store.write(key, from: body([1, 2, 3]), limit: 10)
            let missing = try MediaKey("t/missing.mp4")

            // act / check
            await #expect(throws: MediaStoreError.rangeOutOfBounds(2..<4, size: 3)) { try await store.bytes(key, range: 2..<4) }
            await #expect(throws: MediaStoreError.notFound(missing)) { try await store.bytes(missing) }
            #expect(try await store.attributes(of: missing) == nil)
        }
    }

    @Test("delete removes the object; deleting again says there was none")
    func delete() async throws {
        try await withTemporaryStore { store, folder in
            // setup
            _ = try await store.write(key, from: body([1, 2, 3]), limit: 10)

            // act
            let first = try await store.delete(key)
            let second = try await store.delete(key)

            // check
            #expect(first)
            #expect(!second)
            #expect(try await store.attributes(of: key) == nil)
            #expect(filesUnder(folder) == [])
        }
    }

    @Test("refuses keys that could leave the folder, hide in it or carry control characters", arguments: [
        "", "/etc/passwd", "../x", "a/../../x", "a/..", "..", "a/./b", ".", "a//b", "a/", ".incoming/x", "t/.hidden",
        "a\u{0}b", "a\nb", "a\rb", "a\u{7F}b", "a\u{85}b", "a\\b", String(repeating: "x", count: 256),
        String(repeating: "a/", count: 600) + "x",
    ])
    func badKeys(path: String) {
        // act / check
        #expect(throws: MediaStoreError.self) { try MediaKey(path) }
    }

    @Test("accepts the keys the platform builds", arguments: [
        "0b8f0c9e-2f6a-4f57-a1d5-3c2b1e0f9a11/watch/3d1f2a.mp4", "t/recordings/2026/12/r.webm", "x", "a..b/c..d.vtt",
        "ü/名前.mp4", String(repeating: "x", count: 255),
    ])
    func goodKeys(path: String) throws {
        // act / check
        #expect(try MediaKey(path).path == path)
    }

    @Test("a key from tenant, area and name")
    func keyFromParts() throws {
        // setup
        let tenant = try #require(UUID(uuidString: "0B8F0C9E-2F6A-4F57-A1D5-3C2B1E0F9A11"))

        // act
        let key = try MediaKey(tenant: tenant, area: "watch", name: "v.mp4")

        // check
        #expect(key.path == "0b8f0c9e-2f6a-4f57-a1d5-3c2b1e0f9a11/watch/v.mp4")
        #expect(throws: MediaStoreError.self) { try MediaKey(tenant: tenant, area: "..", name: "v.mp4") }
    }

    @Test("abandoned partial writes are removed after their age, younger ones kept")
    func abandoned() async throws {
        try await withTemporaryStore { store, folder in
            // setup: a node stopped mid-write an hour ago, another is writing now
            try FileManager.default.createDirectory(atPath: folder + "/.incoming", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: folder + "/.incoming/old.part", contents: Data([1]))
            _ = FileManager.default.createFile(atPath: folder + "/.incoming/new.part", contents: Data([2]))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)],
                                                  ofItemAtPath: folder + "/.incoming/old.part")

            // act
            let removed = try await store.removeAbandonedWrites(olderThan: .seconds(600))

            // check
            #expect(removed == 1)
            #expect(filesUnder(folder) == [".incoming/new.part"])
        }
    }
}
