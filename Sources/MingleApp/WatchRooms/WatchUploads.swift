import Foundation
import Hummingbird
import Logging
import MediaStore
import RealTime
import Store
import Synchronization
import VideoProcessing
import WatchRooms

/// Videos uploaded to watch rooms (issue 17, DESIGN §13): the body is streamed to the media
/// store (memory stays flat whatever the size; over the limit it is refused and nothing is
/// kept), probed at once (not a video, or cut short: refused, deleted), then made ready for
/// every browser in the background — remuxed or transcoded to H.264/AAC MP4 with `+faststart`,
/// its progress in the file's row — and added to the room's list. Served only to the room's
/// people, with byte ranges and strong ETags.
struct WatchUploads: Sendable {
    let app: AppServices
    let store: FileSystemMediaStore
    let activities: ActivityRegistry
    let processor = VideoProcessor()
    let logger: Logger

    static func uploadKey(_ tenant: TenantID, _ file: UUID) throws -> MediaKey {
        try MediaKey(tenant: tenant, area: "watch-uploads", name: file.uuidString.lowercased())
    }

    static func videoKey(_ tenant: TenantID, _ file: UUID) throws -> MediaKey {
        try MediaKey(tenant: tenant, area: "watch", name: file.uuidString.lowercased() + ".mp4")
    }

    /// What an upload came to, for the page (JSON).
    struct Answer: Encodable {
        var file: UUID
        var status: String
        var progress: Double
        var problem: String?
    }

    /// Streams `request`'s body into the store as `person`'s upload to `room`; probes it; starts
    /// the processing. Throws a 413 / 422 with the reason when it is refused (nothing kept).
    func receive(_ request: Request, room: WatchRoomRecord, tenant: TenantID, person: UUID, name: String) async throws -> Answer {
        let file = UUID()
        let key = try Self.uploadKey(tenant, file)
        do {
            _ = try await store.write(key, from: request.body, limit: app.config.maxUploadBytes)
        } catch MediaStoreError.tooLarge {
            throw HTTPError(.contentTooLarge,
                            message: "That file is larger than \(ByteCountText.describe(app.config.maxUploadBytes)), the most a room takes.")
        }
        let probe: VideoProbe
        do {
            probe = try await processor.probe(store.localPath(of: key))
        } catch let problem as VideoProcessingError {
            try? await store.delete(key)
            throw HTTPError(.unprocessableContent, message: problem.description)
        } catch {
            try? await store.delete(key)
            throw error
        }
        let title = Self.title(from: name)
        do {
            try await app.database.withTenant(tenant) { tx in
                try await tx.addWatchFile(id: file, tenant: tenant, room: room.id, uploadedBy: person, originalName: title)
            }
        } catch {
            try? await store.delete(key)
            throw error
        }
        let task = Task { await process(file, key: key, tenant: tenant, room: room.id, person: person, title: title, duration: probe.duration) }
        _ = task
        return Answer(file: file, status: "processing", progress: 0, problem: nil)
    }

    /// A title from the file's name: "Opening keynote" for "opening_keynote.final.mp4".
    static func title(from name: String) -> String {
        let base = (name as NSString).deletingPathExtension
        let words = base.replacingOccurrences(of: "_", with: " ").trimmingCharacters(in: .whitespacesAndNewlines)
        let cleaned = String(String.UnicodeScalarView(words.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
        return cleaned.isEmpty ? "Video" : String(cleaned.prefix(WatchRequest.maxTitleLength))
    }

    /// Makes the upload ready (progress in its row, at most every half second), then adds it to
    /// the room's list; on failure the row says why and nothing is kept.
    private func process(_ file: UUID, key: MediaKey, tenant: TenantID, room: UUID, person: UUID, title: String, duration: Double) async {
        let output = store.localPath(of: key) + ".processing.mp4"
        let database = app.database
        let lastWrite = ProgressThrottle()
        do {
            let result = try await processor.process(store.localPath(of: key), to: output) { fraction in
                guard lastWrite.due(fraction) else { return }
                Task { try? await database.withTenant(tenant) { tx in try await tx.watchFileProgress(file, min(fraction, 0.99)) } }
            }
            // The result sits in the store's folder already: renamed into its place (atomic, on
            // the same filesystem), so a reader never sees part of it.
            let final = try Self.videoKey(tenant, file)
            let destination = store.localPath(of: final)
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: output, toPath: destination)
            try? await store.delete(key)
            let size = try await store.attributes(of: final)?.size ?? 0
            try await database.withTenant(tenant) { tx in
                try await tx.watchFileReady(file, mediaKey: final.description, subtitlesKey: nil, size: size, duration: result.output.duration)
            }
            let item = WatchItem(id: UUID(), title: title, source: .file(file), duration: result.output.duration)
            if let engine = try await activities.activity(ActivityKey(tenant: tenant, kind: .watch, id: room)) as? WatchEngine {
                try await engine.add(item, by: person)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: output)
            try? await store.delete(key)
            let problem = (error as? VideoProcessingError)?.description ?? "The video could not be made ready. Try another file."
            logger.warning("watch upload \(file) failed: \(String(describing: error))")
            try? await database.withTenant(tenant) { tx in try await tx.watchFileFailed(file, problem: problem) }
        }
    }

    /// Writes progress at most every half second (and the last one).
    final class ProgressThrottle: Sendable {
        private let last = Mutex<ContinuousClock.Instant?>(nil)
        func due(_ fraction: Double) -> Bool {
            let now = ContinuousClock.now
            return last.withLock { last in
                if fraction < 1, let previous = last, now - previous < .milliseconds(500) { return false }
                last = now
                return true
            }
        }
    }
}
