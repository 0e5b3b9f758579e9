import Foundation
import PostgresNIO

/// A message as a push needs it: the message and the two people of its conversation.
public struct PushedMessage: Sendable {
    public var message: Message
    public var people: [UserID]
}

extension Transaction {
    public func messageForPush(_ id: Int) async throws -> PushedMessage? {
        try await query("""
            SELECT m.id, m.sender_id, m.body, m.created_at, c.user_a, c.user_b
            FROM messages m JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
            WHERE m.id = \(id)
            """).first((Int, UUID, String, Date, UUID, UUID).self).map {
            PushedMessage(message: Message(id: $0.0, sender: $0.1, body: $0.2, createdAt: $0.3), people: [$0.4, $0.5])
        }
    }
}
