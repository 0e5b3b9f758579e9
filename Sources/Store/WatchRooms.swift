import Foundation
import PostgresNIO
import WatchRooms

/// One row of `watch_rooms`, as pages around the room need it (DESIGN §12).
public struct WatchRoomRecord: Sendable, Equatable {
    public var id: UUID
    /// Nine digits.
    public var code: String
    public var pinHash: String
    public var title: String
    public var host: UserID
    public var guestsAllowed: Bool
    public var createdAt: Date
    public var closedAt: Date?

    /// "123 456 789".
    public var spacedCode: String {
        let digits = Array(code)
        guard digits.count == 9 else { return code }
        return "\(String(digits[0..<3])) \(String(digits[3..<6])) \(String(digits[6..<9]))"
    }
}

/// A room in "my rooms": one I host or recently joined.
public struct WatchRoomListing: Sendable, Equatable {
    public var room: WatchRoomRecord
    public var hosting: Bool
    public var lastJoinedAt: Date?
}

/// A guest of one room.
public struct WatchGuestRecord: Sendable, Equatable {
    public var id: UUID
    public var room: UUID
    public var displayName: String
}

/// An uploaded video of a room and how far its processing is.
public struct WatchFileRecord: Sendable, Equatable {
    public var id: UUID
    public var room: UUID
    public var uploadedBy: UUID
    public var originalName: String
    /// processing, ready, failed
    public var status: String
    public var progress: Double
    public var problem: String?
    public var mediaKey: String?
    public var subtitlesKey: String?
    public var duration: Double?
}

extension Transaction {
    static let watchRoomColumns = "id, code, pin_hash, title, host_id, guests_allowed, created_at, closed_at"
    private typealias WatchRoomRow = (UUID, String, String, String, UUID, Bool, Date, Date?)
    private static func watchRoom(_ row: WatchRoomRow) -> WatchRoomRecord {
        WatchRoomRecord(id: row.0, code: row.1, pinHash: row.2, title: row.3, host: row.4, guestsAllowed: row.5, createdAt: row.6, closedAt: row.7)
    }

    /// A new room of the current tenant with a fresh 9-digit code (another is drawn if the code
    /// is taken in this tenant). Nil only if ten draws in a row were taken.
    public func createWatchRoom(tenant: TenantID, host: UserID, title: String, pinHash: String, guestsAllowed: Bool,
                                code draw: () -> String) async throws -> WatchRoomRecord? {
        for _ in 0..<10 {
            let code = draw()
            let rows = try await query("""
                INSERT INTO watch_rooms (tenant_id, code, pin_hash, title, host_id, guests_allowed)
                VALUES (\(tenant), \(code), \(pinHash), \(title), \(host), \(guestsAllowed))
                ON CONFLICT (tenant_id, code) DO NOTHING
                RETURNING \(unescaped: Self.watchRoomColumns)
                """)
            if let row = try await rows.first(WatchRoomRow.self) { return Self.watchRoom(row) }
        }
        return nil
    }

    public func watchRoom(_ id: UUID) async throws -> WatchRoomRecord? {
        try await query("SELECT \(unescaped: Self.watchRoomColumns) FROM watch_rooms WHERE id = \(id)").first(WatchRoomRow.self).map(Self.watchRoom)
    }

    /// The room with this code in the current tenant (another tenant's rooms are not seen).
    public func watchRoom(code: String) async throws -> WatchRoomRecord? {
        try await query("SELECT \(unescaped: Self.watchRoomColumns) FROM watch_rooms WHERE code = \(code)").first(WatchRoomRow.self).map(Self.watchRoom)
    }

    /// Rooms `person` hosts or joined, newest first (open ones first).
    public func watchRooms(of person: UserID, limit: Int = 50) async throws -> [WatchRoomListing] {
        try await query("""
            SELECT \(unescaped: Self.watchRoomColumns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                   r.host_id = \(person), v.last_joined_at
            FROM watch_rooms r LEFT JOIN watch_visits v ON v.room_id = r.id AND v.person_id = \(person)
            WHERE r.host_id = \(person) OR v.person_id IS NOT NULL
            ORDER BY r.closed_at IS NOT NULL, greatest(r.created_at, v.last_joined_at) DESC
            LIMIT \(limit)
            """).all((UUID, String, String, String, UUID, Bool, Date, Date?, Bool, Date?).self).map { row in
                WatchRoomListing(room: Self.watchRoom((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7)), hosting: row.8, lastJoinedAt: row.9)
            }
    }

    /// Whether `person` passed the room's PIN (or hosts it): the room's files are theirs to fetch.
    public func mayWatchFiles(of room: UUID, person: UUID) async throws -> Bool {
        try await query("""
            SELECT EXISTS (SELECT 1 FROM watch_rooms WHERE id = \(room) AND host_id = \(person) AND closed_at IS NULL)
                OR EXISTS (SELECT 1 FROM watch_visits v JOIN watch_rooms r ON r.id = v.room_id
                           WHERE v.room_id = \(room) AND v.person_id = \(person) AND r.closed_at IS NULL
                             AND NOT (\(person)::uuid = ANY (r.removed)))
            """).first(Bool.self) ?? false
    }

    /// `person` passed the PIN (or came back): kept for "recently joined" and the files' rights.
    public func recordWatchVisit(tenant: TenantID, room: UUID, person: UUID, isGuest: Bool, at time: Date = Date()) async throws {
        try await execute("""
            INSERT INTO watch_visits (tenant_id, room_id, person_id, is_guest, last_joined_at)
            VALUES (\(tenant), \(room), \(person), \(isGuest), \(time))
            ON CONFLICT (tenant_id, room_id, person_id) DO UPDATE SET last_joined_at = excluded.last_joined_at
            """)
    }

    // MARK: Guests

    public func addWatchGuest(tenant: TenantID, room: UUID, displayName: String, tokenHash: [UInt8]) async throws -> WatchGuestRecord {
        let rows = try await query("""
            INSERT INTO watch_guests (tenant_id, room_id, token_hash, display_name)
            VALUES (\(tenant), \(room), \(ByteBuffer(bytes: tokenHash)), \(displayName))
            RETURNING id, room_id, display_name
            """)
        guard let row = try await rows.first((UUID, UUID, String).self) else { throw MissingRow() }
        return WatchGuestRecord(id: row.0, room: row.1, displayName: row.2)
    }

    public func watchGuest(tokenHash: [UInt8]) async throws -> WatchGuestRecord? {
        try await query("SELECT id, room_id, display_name FROM watch_guests WHERE token_hash = \(ByteBuffer(bytes: tokenHash))")
            .first((UUID, UUID, String).self).map { WatchGuestRecord(id: $0.0, room: $0.1, displayName: $0.2) }
    }

    // MARK: Files

    @discardableResult
    public func addWatchFile(id: UUID = UUID(), tenant: TenantID, room: UUID, uploadedBy: UUID, originalName: String) async throws -> UUID {
        let rows = try await query("""
            INSERT INTO watch_files (tenant_id, id, room_id, uploaded_by, original_name)
            VALUES (\(tenant), \(id), \(room), \(uploadedBy), \(originalName)) RETURNING id
            """)
        guard let id = try await rows.first(UUID.self) else { throw MissingRow() }
        return id
    }

    public func watchFile(_ id: UUID) async throws -> WatchFileRecord? {
        try await query("""
            SELECT id, room_id, uploaded_by, original_name, status, progress, problem, media_key, subtitles_key, duration
            FROM watch_files WHERE id = \(id)
            """).first((UUID, UUID, UUID, String, String, Float, String?, String?, String?, Double?).self).map {
                WatchFileRecord(id: $0.0, room: $0.1, uploadedBy: $0.2, originalName: $0.3, status: $0.4, progress: Double($0.5), problem: $0.6,
                                mediaKey: $0.7, subtitlesKey: $0.8, duration: $0.9)
            }
    }

    public func watchFileProgress(_ id: UUID, _ progress: Double) async throws {
        try await execute("UPDATE watch_files SET progress = \(Float(min(1, max(0, progress)))) WHERE id = \(id) AND status = 'processing'")
    }

    public func watchFileReady(_ id: UUID, mediaKey: String, subtitlesKey: String?, size: Int64, duration: Double?) async throws {
        try await execute("""
            UPDATE watch_files SET status = 'ready', progress = 1, media_key = \(mediaKey), subtitles_key = \(subtitlesKey),
                   size = \(size), duration = \(duration)
            WHERE id = \(id)
            """)
    }

    public func watchFileFailed(_ id: UUID, problem: String) async throws {
        try await execute("UPDATE watch_files SET status = 'failed', problem = \(problem) WHERE id = \(id)")
    }
}

/// A watch room's persistence in PostgreSQL: every write is one transaction in the tenant's
/// row-level-security scope.
public struct PostgresWatchStore: WatchStore {
    let database: Database
    let tenant: TenantID

    public init(database: Database, tenant: TenantID) {
        self.database = database
        self.tenant = tenant
    }

    public func load(room id: UUID) async throws -> WatchSnapshot? {
        try await database.withTenant(tenant) { tx in
            let rows = try await tx.query("""
                SELECT host_id, current_item, paused, position, position_at, rate, control, controller_id, wait_for_everyone,
                       removed, closed_at
                FROM watch_rooms WHERE id = \(id)
                """)
            guard let row = try await rows.first((UUID, UUID?, Bool, Double, Date, Double, String, UUID?, Bool, [UUID], Date?).self) else { return nil }
            let items = try await tx.query("""
                SELECT id, title, kind, file_id, link, youtube_id, duration, has_subtitles
                FROM watch_items WHERE room_id = \(id) ORDER BY seq
                """).all((UUID, String, String, UUID?, String?, String?, Double?, Bool).self).compactMap { item -> WatchItem? in
                    let source: WatchSource
                    switch item.2 {
                    case "file": guard let file = item.3 else { return nil }; source = .file(file)
                    case "link": guard let link = item.4.flatMap(URL.init(string:)) else { return nil }; source = .link(link)
                    default: guard let video = item.5 else { return nil }; source = .youtube(video)
                    }
                    return WatchItem(id: item.0, title: item.1, source: source, duration: item.6, hasSubtitles: item.7)
                }
            let control: WatchControl = switch (row.6, row.7) {
            case ("person", let person?): .passed(person)
            case ("everyone", _): .everyone
            default: .host
            }
            return WatchSnapshot(id: id, host: row.0, queue: items,
                                 state: WatchState(playback: Playback(item: row.1, paused: row.2, position: row.3, at: row.4, rate: row.5),
                                                   control: control, waitForEveryone: row.8, removed: Set(row.9), closedAt: row.10))
        }
    }

    public func save(_ state: WatchState, room: UUID) async throws {
        let (control, controller): (String, UUID?) = switch state.control {
        case .host: ("host", nil)
        case .everyone: ("everyone", nil)
        case .passed(let person): ("person", person)
        }
        let removed = state.removed.sorted { $0.uuidString < $1.uuidString }
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                UPDATE watch_rooms SET current_item = \(state.playback.item), paused = \(state.playback.paused),
                       position = \(state.playback.position), position_at = \(state.playback.at), rate = \(state.playback.rate),
                       control = \(control), controller_id = \(controller), wait_for_everyone = \(state.waitForEveryone),
                       removed = \(removed), closed_at = \(state.closedAt)
                WHERE id = \(room)
                """)
        }
    }

    public func added(_ item: WatchItem, room: UUID, by person: UUID) async throws {
        var (file, link, youtube): (UUID?, String?, String?) = (nil, nil, nil)
        switch item.source {
        case .file(let id): file = id
        case .link(let url): link = url.absoluteString
        case .youtube(let id): youtube = id
        }
        try await database.withTenant(tenant) { tx in
            try await tx.execute("""
                INSERT INTO watch_items (tenant_id, id, room_id, title, kind, file_id, link, youtube_id, duration, has_subtitles, added_by)
                VALUES (\(tenant), \(item.id), \(room), \(item.title), \(item.source.kind), \(file), \(link), \(youtube), \(item.duration),
                        \(item.hasSubtitles), \(person))
                """)
        }
    }

    public func duration(_ seconds: Double, of item: UUID, room: UUID) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.execute("UPDATE watch_items SET duration = \(seconds) WHERE id = \(item) AND room_id = \(room) AND duration IS NULL")
        }
    }

    public func dequeued(_ item: UUID, room: UUID) async throws {
        try await database.withTenant(tenant) { tx in try await tx.execute("DELETE FROM watch_items WHERE id = \(item) AND room_id = \(room)") }
    }

    public func admits(room: UUID, person: UUID) async throws -> Bool {
        try await database.withTenant(tenant) { tx in try await tx.mayWatchFiles(of: room, person: person) }
    }

    public func joined(room: UUID, person: UUID, isGuest: Bool, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in
            try await tx.recordWatchVisit(tenant: tenant, room: room, person: person, isGuest: isGuest, at: time)
        }
    }

    public func chat(room: UUID, person: UUID, who: String, text: String, at time: Date) async throws -> WatchChatLine {
        try await database.withTenant(tenant) { tx in
            let rows = try await tx.query("""
                INSERT INTO watch_chat (tenant_id, room_id, author_id, author_name, body, sent_at)
                VALUES (\(tenant), \(room), \(person), \(who), \(text), \(time)) RETURNING seq
                """)
            guard let seq = try await rows.first(Int64.self) else { throw MissingRow() }
            return WatchChatLine(id: Int(seq), person: person, who: who, text: text, at: time)
        }
    }

    public func chatHistory(room: UUID, limit: Int) async throws -> [WatchChatLine] {
        try await database.withTenant(tenant) { tx in
            try await tx.query("""
                SELECT seq, author_id, author_name, body, sent_at FROM (
                    SELECT * FROM watch_chat WHERE room_id = \(room) ORDER BY seq DESC LIMIT \(limit)
                ) latest ORDER BY seq
                """).all((Int64, UUID, String, String, Date).self).map {
                    WatchChatLine(id: Int($0.0), person: $0.1, who: $0.2, text: $0.3, at: $0.4)
                }
        }
    }
}
