import Foundation
import Logging
import RealTime
import Store

/// Turns the database's `mingle_push` notifications (a new message, a new notification, a read
/// marker moved) into pushes to the pages this node holds (DESIGN §9): unread counts, the
/// message itself for an open conversation, the notification's words. Pages no longer poll.
struct Pushes: Sendable {
    let database: Database
    let sockets: SocketDirectory
    let logger: Logger

    private struct Event: Decodable {
        var t: UUID
        var k: String
        var u: UUID?
        var id: Int?
        var text: String?
        var link: String?
    }

    /// `{"type":"unread","data":{"messages":2,"notifications":1}}`
    struct Unread: Encodable {
        var messages: Int
        var notifications: Int
    }

    /// `{"type":"message","data":{"with":"<username>","message":{…}}}`: a message of the
    /// conversation with `with`, as the conversation page shows it.
    struct NewMessage: Encodable {
        var with: String
        var message: ConversationModel.Message
    }

    /// `{"type":"notification","data":{"text":"…","link":"/…"}}`
    struct Notice: Encodable {
        var text: String
        var link: String
    }

    func handle(_ payload: String) async {
        guard let event = try? JSONDecoder().decode(Event.self, from: Data(payload.utf8)), await sockets.hasSockets(in: event.t) else { return }
        do {
            switch event.k {
            case "message":
                if let id = event.id { try await message(id, tenant: event.t) }
            case "notification":
                guard let user = event.u, await !sockets.present([user], in: event.t).isEmpty else { return }
                await sockets.send(Envelope.text(type: "notification", data: Notice(text: event.text ?? "", link: event.link ?? "")),
                                   to: user, in: event.t)
                try await counts(user, tenant: event.t)
            case "counts":
                if let user = event.u { try await counts(user, tenant: event.t) }
            default:
                break
            }
        } catch {
            logger.warning("could not push \(event.k): \(String(describing: error))")
        }
    }

    private func counts(_ user: UUID, tenant: UUID) async throws {
        guard await !sockets.present([user], in: tenant).isEmpty else { return }
        let counts = try await database.withTenant(tenant, user: user) { tx in try await tx.unreadCounts(user: user) }
        await sockets.send(Envelope.text(type: "unread", data: Unread(messages: counts.messages, notifications: counts.notices)),
                           to: user, in: tenant)
    }

    private func message(_ id: Int, tenant: UUID) async throws {
        guard let found = try await database.withTenant(tenant, { tx in try await tx.messageForPush(id) }) else { return }
        for person in await sockets.present(found.people, in: tenant) {
            guard let other = found.people.first(where: { $0 != person }) else { continue }
            let (partner, counts, zone) = try await database.withTenant(tenant, user: person) { tx in
                (try await tx.user(other), try await tx.unreadCounts(user: person), try await tx.timeZones(of: [person])[person])
            }
            guard let partner else { continue }
            // Stamped in the reader's zone, as the page around it is. A reader with an open socket ran
            // site.js, whose zone their account took on that page view, so UTC is only a fallback.
            let item = ConversationModel.Message(found.message, me: person, otherName: partner.displayName,
                                                 zone: LocalTime.zone(zone ?? "UTC"))
            await sockets.send(Envelope.text(type: "message", data: NewMessage(with: partner.username, message: item)), to: person, in: tenant)
            await sockets.send(Envelope.text(type: "unread", data: Unread(messages: counts.messages, notifications: counts.notices)),
                               to: person, in: tenant)
        }
    }
}
