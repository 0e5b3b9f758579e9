import Foundation
import PostgresNIO

public struct Message: Sendable, Equatable {
    public var id: Int
    public var sender: UserID
    public var body: String
    public var createdAt: Date
}

public struct ConversationListing: Sendable, Equatable {
    public var id: UUID
    public var otherUsername: String
    public var otherName: String
    public var lastMessageAt: Date
    public var unread: Int
    public var preview: String
}

extension Transaction {
    /// The conversation between two people if they have one (reading never creates one).
    public func existingConversation(between a: UserID, and b: UserID) async throws -> UUID? {
        let (first, second) = a.uuidString < b.uuidString ? (a, b) : (b, a)
        return try await query("SELECT id FROM conversations WHERE user_a = \(first) AND user_b = \(second)").first(UUID.self)
    }

    /// The conversation between two people, made on first use.
    public func conversation(tenant: TenantID, between a: UserID, and b: UserID) async throws -> UUID {
        let (first, second) = a.uuidString < b.uuidString ? (a, b) : (b, a)
        // Lower-case text comparison equals PostgreSQL's uuid ordering; checked by the table's CHECK.
        if let id = try await query("""
            SELECT id FROM conversations WHERE user_a = \(first) AND user_b = \(second)
            """).first(UUID.self) { return id }
        let id = UUID()
        try await execute("""
            INSERT INTO conversations (tenant_id, id, user_a, user_b) VALUES (\(tenant), \(id), \(first), \(second))
            ON CONFLICT (tenant_id, user_a, user_b) DO NOTHING
            """)
        let made = try await query("SELECT id FROM conversations WHERE user_a = \(first) AND user_b = \(second)").first(UUID.self) ?? id
        for user in [a, b] {
            try await execute("""
                INSERT INTO conversation_members (tenant_id, conversation_id, user_id) VALUES (\(tenant), \(made), \(user))
                ON CONFLICT DO NOTHING
                """)
        }
        return made
    }

    /// Adds a message; returns its id. `call`: the call it stands for (a missed call).
    public func addMessage(tenant: TenantID, conversation: UUID, sender: UserID, body: String, call: UUID? = nil) async throws -> Int {
        let id = try await query("""
            INSERT INTO messages (tenant_id, conversation_id, sender_id, body, call_id)
            VALUES (\(tenant), \(conversation), \(sender), \(body), \(call))
            RETURNING id
            """).first(Int.self) ?? 0
        try await execute("UPDATE conversations SET last_message_at = now() WHERE id = \(conversation)")
        try await markRead(conversation: conversation, user: sender, upTo: id)
        return id
    }

    public func messages(conversation: UUID, after: Int = 0, limit: Int = 200) async throws -> [Message] {
        try await query("""
            SELECT id, sender_id, body, created_at FROM (
                SELECT id, sender_id, body, created_at FROM messages WHERE conversation_id = \(conversation) AND id > \(after)
                ORDER BY id DESC LIMIT \(limit)) recent ORDER BY id
            """).all((Int, UUID, String, Date).self).map { Message(id: $0.0, sender: $0.1, body: $0.2, createdAt: $0.3) }
    }

    /// Marks the conversation read up to message `id`; returns how many of the other's messages
    /// this made read (what the unread badge counted a moment ago).
    @discardableResult
    public func markRead(conversation: UUID, user: UserID, upTo id: Int) async throws -> Int {
        // Every part of the statement sees the row as it was before the update.
        try await query("""
            WITH before AS (
                SELECT last_read_id FROM conversation_members WHERE conversation_id = \(conversation) AND user_id = \(user)),
            marked AS (
                UPDATE conversation_members SET last_read_id = greatest(last_read_id, \(id))
                WHERE conversation_id = \(conversation) AND user_id = \(user))
            SELECT count(*)::int FROM messages m, before
            WHERE m.conversation_id = \(conversation) AND m.id > before.last_read_id AND m.id <= \(id) AND m.sender_id <> \(user)
            """).first(Int.self) ?? 0
    }

    /// Claims the right to email `user` about this conversation: true at most once per quiet
    /// period, however the conversation goes meanwhile.
    public func claimMessageEmail(conversation: UUID, user: UserID, quietPeriod: Duration) async throws -> Bool {
        try await query("""
            UPDATE conversation_members SET last_emailed_at = now()
            WHERE conversation_id = \(conversation) AND user_id = \(user)
              AND (last_emailed_at IS NULL OR last_emailed_at < now() - \(quietPeriod.seconds) * interval '1 second')
            RETURNING 1
            """).first(Int.self) != nil
    }

    public func conversations(of user: UserID) async throws -> [ConversationListing] {
        try await query("""
            SELECT c.id, u.username, trim(u.first_name || ' ' || u.last_name), c.last_message_at,
                   (SELECT count(*)::int FROM messages m WHERE m.conversation_id = c.id AND m.id > me.last_read_id AND m.sender_id <> \(user)),
                   coalesce((SELECT left(m.body, 120) FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1), '')
            FROM conversations c
            JOIN conversation_members me ON me.conversation_id = c.id AND me.user_id = \(user)
            JOIN users u ON u.id = CASE WHEN c.user_a = \(user) THEN c.user_b ELSE c.user_a END
            ORDER BY c.last_message_at DESC
            """).all((UUID, String, String, Date, Int, String).self).map {
                ConversationListing(id: $0.0, otherUsername: $0.1, otherName: $0.2.isEmpty ? $0.1 : $0.2, lastMessageAt: $0.3,
                                    unread: $0.4, preview: $0.5)
            }
    }

    /// Unread messages and notifications, for the header.
    public func unreadCounts(user: UserID) async throws -> (messages: Int, notices: Int) {
        try await query("""
            SELECT (SELECT count(*)::int FROM messages m JOIN conversation_members me
                        ON me.conversation_id = m.conversation_id AND me.user_id = \(user)
                    WHERE m.id > me.last_read_id AND m.sender_id <> \(user)),
                   (SELECT count(*)::int FROM notifications WHERE user_id = \(user) AND read_at IS NULL)
            """).first((Int, Int).self).map { ($0.0, $0.1) } ?? (0, 0)
    }
}
