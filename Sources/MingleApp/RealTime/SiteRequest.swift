import Calls
import Foundation
import RealTime
import Store

/// What a page asks of the site itself over its socket (envelopes without an `activity`).
enum SiteRequest: ActivityRequest {
    /// Keeps the connection alive; answered with `pong`.
    case ping
    /// The page showed the conversation with `with` up to message `upTo`.
    case read(with: String, upTo: Int)
    /// "Answer" or "Decline" on the ringing prompt of any page (`call-accept`, `call-decline`).
    /// Answering here, as the prompt's page opens the call's, saves the call page a round trip
    /// once it is there (that page accepts too, should this not have arrived).
    case callAnswer(UUID, accept: Bool)

    private enum Keys: String, CodingKey { case with, upTo, call }

    init(type: String, data: (any Decoder)?) throws {
        switch type {
        case "ping": self = .ping
        case "read":
            let container = try requireData(data, type).container(keyedBy: Keys.self)
            let username = try container.decode(String.self, forKey: .with)
            guard username.count <= 64 else { throw ActivityRefusal("bad-message", "No such person.") }
            self = .read(with: username, upTo: try container.decode(Int.self, forKey: .upTo))
        case "call-accept", "call-decline":
            let call = try requireData(data, type).container(keyedBy: Keys.self).decode(UUID.self, forKey: .call)
            self = .callAnswer(call, accept: type == "call-accept")
        default:
            throw unknownRequest(type)
        }
    }
}

/// `pong`'s data: the server's time when it answered.
struct Pong: Encodable { var now: Date }

/// The site's own requests over a page's socket.
struct SiteRequests: Sendable {
    let app: AppServices
    let activities: ActivityRegistry
    let page: RealTimeSocketController.Page

    /// The answer to send back, if any.
    func handle(_ request: SiteRequest, ref: String?) async -> String? {
        switch request {
        case .ping:
            // With the server's clock: a watch room's page estimates it from these (ms since 1970).
            return Envelope.text(type: "pong", ref: ref, data: Pong(now: Date()))
        case .read(let username, let upTo):
            // Marking read announces new counts to every page of this person (a push).
            guard let me = page.visitor?.userID else { return Envelope.error(ActivityRefusal("members-only", "Guests have no messages here."), ref: ref, request: "read") }
            do {
                try await app.database.withTenant(page.tenant, user: me) { tx in
                    guard let other = try await tx.member(username: username)?.user.id,
                          let conversation = try await tx.existingConversation(between: me, and: other) else { return }
                    try await tx.markRead(conversation: conversation, user: me, upTo: upTo)
                }
                return nil
            } catch {
                return Envelope.error(.failed, ref: ref, request: "read")
            }
        case .callAnswer(let call, let accept):
            // The call decides: only its callee, only while it rings. Another tenant's call is not
            // found (the load is scoped by row-level security).
            let request = accept ? "call-accept" : "call-decline"
            guard let me = page.visitor?.userID else { return Envelope.error(ActivityRefusal("members-only", "Guests take no calls here."), ref: ref, request: request) }
            do {
                guard let engine = try await activities.activity(ActivityKey(tenant: page.tenant, kind: .call, id: call)) as? CallEngine else {
                    return Envelope.error(ActivityRefusal("not-found", "There is no such call."), ref: ref, request: request)
                }
                try await engine.respond(accept ? .accept : .decline, by: me)
                return nil
            } catch let refusal as ActivityRefusal {
                return Envelope.error(refusal, ref: ref, request: request)
            } catch {
                return Envelope.error(.failed, ref: ref, request: request)
            }
        }
    }
}
