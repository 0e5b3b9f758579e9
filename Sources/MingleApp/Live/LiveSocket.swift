import Foundation
import Hummingbird
import HummingbirdWebSocket
import LiveEngine
import Logging
import Media
import Store

/// Mingle's live WebSocket (`/live/ws?session=<id>` on the tenant's host, DESIGN §5): cookie
/// authenticated by the ordinary session middleware, Origin-checked, message size and rate
/// limited. The messages are documented in docs/LIVE_PROTOCOL.md.
struct LiveSocketController {
    let app: AppServices
    let rooms: LiveRooms

    /// The largest message a browser may send (a survey with long free-text answers fits).
    static let maxMessageBytes = 8 * 1024
    /// How often an open socket checks that its person is still signed in and a member with
    /// the same role (sign-out, suspension or a role change end the connection).
    static let recheckInterval: Duration = .seconds(30)

    /// Who may use the socket, and in which room (or why the room refuses them).
    enum Admission {
        case room(SessionEngine, LiveUser, Visitor)
        case refused(LiveRefusal)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.ws("/live/ws", shouldUpgrade: { request, context in
            _ = try await admit(request, context)
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, socket in
            // Admission is decided again from the same request: the upgrade handler gets the
            // request and its context, not the values computed above.
            switch try? await admit(socket.request, socket.requestContext) {
            case .room(let engine, let user, let visitor)?:
                let recheck = { @Sendable in
                    try await stillAdmitted(visitor, user: user, tenant: socket.requestContext.site.tenant?.id, host: socket.request.host)
                }
                try await serve(engine: engine, user: user, recheck: recheck, inbound: inbound, outbound: outbound, logger: socket.logger)
            case .refused(let refusal)?:
                // The room is not open (yet): say so, so the page can wait for it.
                try await outbound.writeTextMessage(LiveWire.encode(.error(code: refusal.code, message: refusal.message)))
                try await outbound.close(.normalClosure, reason: refusal.code)
            case nil:
                try await outbound.close(.policyViolation, reason: "refused")
            }
        })
    }

    /// Who may open the socket: a signed-in active member or organizer of this tenant, from a
    /// page of this very host, for a session of this tenant.
    func admit(_ request: Request, _ context: AppRequestContext) async throws -> Admission {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        guard Self.originAllowed(request.headers[.origin], host: request.host, scheme: app.config.publicScheme) else {
            throw HTTPError(.forbidden, message: "This page may not open Mingle's live connection.")
        }
        guard let visitor = context.visitor else { throw HTTPError(.unauthorized, message: "Sign in first.") }
        guard visitor.membershipStatus == .active, let role = visitor.role else {
            throw HTTPError(.forbidden, message: "Only members of this site can enter its sessions.")
        }
        guard let sessionID = request.queryValue("session").flatMap(UUID.init(uuidString:)) else {
            throw HTTPError(.badRequest, message: "Which session?")
        }
        let engine: SessionEngine
        do {
            guard let found = try await rooms.engine(tenant: tenant.id, session: sessionID) else {
                throw HTTPError(.notFound, message: "There is no such session here.")
            }
            engine = found
        } catch let refusal as LiveRefusal {
            return .refused(refusal)
        }
        let name = try await app.database.withTenant(tenant.id, user: visitor.userID) { tx in try await tx.user(visitor.userID)?.displayName }
        return .room(engine, LiveUser(id: visitor.userID, name: name ?? visitor.username, isOrganizer: role == .organizer), visitor)
    }

    /// Whether the person behind an open socket is still signed in (same session), an active
    /// member of the tenant and of the same role as when they connected.
    func stillAdmitted(_ visitor: Visitor, user: LiveUser, tenant: TenantID?, host: String) async throws -> Bool {
        guard let tenant else { return false }
        return try await app.database.withTenant(tenant) { tx in
            guard let session = try await tx.session(tokenHash: visitor.sessionTokenHash, host: host),
                  session.userID == visitor.userID,
                  let membership = try await tx.membership(user: visitor.userID)
            else { return false }
            return membership.status == .active && (membership.role == .organizer) == user.isOrganizer
        }
    }

    /// Whether video is on, and the ICE servers the page's peer connections use: TURN with a
    /// credential for this person when configured (no public STUN: nothing leaves unasked).
    func mediaConfiguration(for user: LiveUser) async -> JSON {
        var servers: [JSON] = []
        if let turn = app.config.turn {
            let credential = turn.credential(for: user.id, now: Date())
            servers.append(["urls": .array(turn.urls.map(JSON.string)), "username": .string(credential.username),
                            "credential": .string(credential.password)])
        }
        return ["type": "media-config", "enabled": .bool(await rooms.media.isConfigured), "iceServers": .array(servers)]
    }

    /// The Origin must be this host with the public scheme: another site's page cannot use a
    /// visitor's cookie to act in their name (WebSockets are not covered by CORS).
    static func originAllowed(_ origin: String?, host: String, scheme: String) -> Bool {
        guard let origin, !host.isEmpty else { return false }
        return origin.lowercased() == "\(scheme)://\(host)"
    }

    private func serve(
        engine: SessionEngine, user: LiveUser, recheck: @escaping @Sendable () async throws -> Bool,
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        let connection: SessionEngine.ConnectionID
        let stream: AsyncStream<ServerMessage>
        do {
            (connection, stream) = try await engine.enter(user)
        } catch let refusal as LiveRefusal {
            try await outbound.writeTextMessage(LiveWire.encode(.error(code: refusal.code, message: refusal.message)))
            try await outbound.close(.normalClosure, reason: refusal.code)
            return
        }
        let media = MediaSignalling(engine: engine, user: user, rooms: rooms.media, logger: logger) { message in
            try? await outbound.writeTextMessage(message.text)
        }
        try? await outbound.writeTextMessage(await mediaConfiguration(for: user).text)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in stream { try await outbound.writeTextMessage(LiveWire.encode(message)) }
                // The engine ended this connection (the session closed).
                try? await outbound.close(.normalClosure, reason: "closed")
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: Self.recheckInterval)
                    if (try? await recheck()) == false {
                        try? await outbound.writeTextMessage(LiveWire.encode(.error(
                            code: "signed-out", message: "You are no longer signed in as a member here; reload the page.")))
                        try? await outbound.close(.policyViolation, reason: "signed out")
                        return
                    }
                }
            }
            var limiter = MessageLimiter()
            var failure: (any Error)?
            do {
                for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                    switch limiter.admit(at: Date()) {
                    case .accept: break
                    case .refuse:
                        try await outbound.writeTextMessage(LiveWire.encode(.error(code: "rate-limited", message: "Too many messages; slow down.")))
                        continue
                    case .disconnect:
                        try await outbound.close(.policyViolation, reason: "rate limit")
                        throw CancellationError()
                    }
                    if case .text(let text) = message, let json = try? JSON.parse(text), MediaSignalling.isMediaMessage(json) {
                        await media.handle(json)
                        continue
                    }
                    guard case .text(let text) = message, let decoded = LiveWire.decode(text) else {
                        try await outbound.writeTextMessage(LiveWire.encode(.error(code: "bad-message", message: "Mingle did not understand that message.")))
                        continue
                    }
                    await engine.receive(decoded, from: connection)
                }
            } catch is CancellationError {
            } catch {
                // Too large a message, or the connection broke. Rethrown after the clean-up, so
                // the WebSocket layer closes with the matching code (1009 for a large message).
                logger.debug("live socket ended: \(String(describing: error))")
                failure = error
            }
            await media.closeAll()
            await engine.leave(connection)
            group.cancelAll()
            if let failure { throw failure }
        }
    }
}

/// JSON as the live protocol writes it: instants as milliseconds since 1970 (what JavaScript's
/// `Date` takes), keys as documented.
enum LiveWire {
    static func encode(_ message: ServerMessage) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(message), as: UTF8.self)) ?? #"{"type":"error","code":"failed","message":"encoding"}"#
    }

    static func decode(_ text: String) -> ClientMessage? {
        try? JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8))
    }
}

/// A token bucket per connection: bursts of `capacity` messages (ICE candidates come in
/// bursts), `perSecond` on average.
/// A browser sends a handful of messages per minute; a connection that keeps hammering after
/// being refused `patience` times in a row is closed.
struct MessageLimiter {
    enum Verdict: Equatable { case accept, refuse, disconnect }

    let capacity: Double
    let perSecond: Double
    let patience: Int
    private var tokens: Double?
    private var last: Date?
    private var refusedInARow = 0

    init(capacity: Double = 40, perSecond: Double = 10, patience: Int = 20) {
        self.capacity = capacity
        self.perSecond = perSecond
        self.patience = patience
    }

    mutating func admit(at now: Date) -> Verdict {
        var available = tokens ?? capacity
        if let last { available = min(capacity, available + max(0, now.timeIntervalSince(last)) * perSecond) }
        last = now
        if available >= 1 {
            tokens = available - 1
            refusedInARow = 0
            return .accept
        }
        tokens = available
        refusedInARow += 1
        return refusedInARow >= patience ? .disconnect : .refuse
    }
}
