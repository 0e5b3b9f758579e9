import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Logging
import Media
import NIOWebSocket
import RealTime
import Store

/// Every page's one socket (`/live/ws` on the tenant's host, DESIGN §9), optionally in one
/// activity (`?activity=<kind>:<id>`): cookie-authenticated by the ordinary session middleware,
/// Origin-checked, size and rate limited, rechecked every 30 s. It carries presence and pushes
/// for the whole site, and the activity's and the media layer's messages, all in one envelope
/// (docs/LIVE_PROTOCOL.md).
struct RealTimeSocketController {
    let app: AppServices
    let activities: ActivityRegistry
    let sockets: SocketDirectory
    let media: MediaRooms
    let rechecks: PageRechecks

    /// The largest message a page may send, whole or in fragments: the SDP answer of a page
    /// watching the most feeds one page may watch (`MediaRequest.maxWatched`, two m-lines each,
    /// about 0.7 KB per m-line from Chromium: 8.4 KB for six people) fits, with room to spare.
    static let maxMessageBytes = 64 * 1024

    /// Who opens the socket, and in which activity (or why the activity refuses them now).
    struct Page: Sendable {
        /// Nil for a guest of an activity (no account: no presence, pushes or site requests).
        var visitor: Visitor?
        var participant: Participant
        var tenant: TenantID
        var host: String
        /// A platform admin acting in this tenant (entered on the audited path): not a member,
        /// so not in the tenant's presence.
        var actingAdmin = false
        /// The member appears offline here (their setting as the socket opened).
        var appearOffline = false
    }

    enum Entry: Sendable {
        case page(Page, activity: (any Activity)?)
        /// The activity exists but cannot be entered now (not open yet, over): the page is told after the upgrade.
        case refused(Page, ActivityRefusal, address: String)
    }

    /// `/live/ws` as plain HTTP: asked by `LiveServerChannel` whether to upgrade (the entry goes
    /// in the request's admission slot); otherwise a refused or plain request, answered with the
    /// refusal's status and words.
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(stringLiteral: LiveServerChannel.path)) { request, context -> Response in
            let entry = try await admit(request, context)
            guard let admission = context.liveAdmission else {
                // Admitted, but this is not a handshake (or not one the WebSocket layer accepts).
                throw HTTPError(.upgradeRequired, headers: [.upgrade: "websocket"], message: "This address takes WebSocket connections only.")
            }
            admission.admit(entry)
            return Response(status: .ok)
        }
    }

    /// Runs the router for an upgrade of `/live/ws` (the same middleware as every page: site,
    /// session): whether it admitted the page, its entry left in `admission`.
    static func admission(through responder: some HTTPResponder<AppRequestContext>)
        -> @Sendable (HTTPRequest, any Channel, Logger, LiveAdmission) async -> Bool {
        { head, channel, logger, admission in
            var context = AppRequestContext(source: .init(channel: channel, logger: logger))
            context.liveAdmission = admission
            let response = try? await responder.respond(to: Request(head: head, body: .init(buffer: ByteBuffer())), context: context)
            return response?.status == .ok && admission.entry != nil
        }
    }

    /// A page's socket, set up in the connection's task (entered, registered for presence and
    /// pushes); from then on its messages and its end are the socket's inbox's, and no task
    /// waits for it.
    func open(_ entry: Entry, on connection: LiveConnection, logger: Logger) async {
        switch entry {
        case .page(let page, let activity?):
            await open(page, in: activity, connection: connection, logger: logger)
        case .page(let page, nil):
            let outbox = SocketOutbox(connection)
            await open(page, requests: NoActivityRequest.self, activity: nil, connection: connection, outbox: outbox,
                       activityRequest: { _, _ in }, mediaRequest: nil, leave: { outbox.end() })
        case .refused(_, let refusal, let address):
            await refuse(connection, refusal, address: address)
        }
    }

    /// Tells the page why it may not take part, then closes.
    private func refuse(_ connection: LiveConnection, _ refusal: ActivityRefusal, address: String, code: WebSocketErrorCode = .normalClosure) async {
        connection.inbox.start(handle: { _ in }, end: {})
        try? await connection.write([Envelope.error(refusal, activity: address)])
        connection.close(code, reason: refusal.code)
    }

    /// Who may open the socket: a signed-in active member or organizer of this tenant, from a
    /// page of this very host; with an activity, one this tenant has (row-level security
    /// confines the look-up) and that this node runs.
    func admit(_ request: Request, _ context: AppRequestContext) async throws -> Entry {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound, message: "There is no such site.") }
        guard Self.originAllowed(request.headers[.origin], host: request.host, scheme: app.config.publicScheme) else {
            throw HTTPError(.forbidden, message: "This page may not open Mingle's live connection.")
        }
        var key: ActivityKey?
        if let address = request.queryValue("activity") {
            guard let parsed = ActivityKey.parse(address: address, tenant: tenant.id) else {
                throw HTTPError(.badRequest, message: "Which activity? Expected <kind>:<id>.")
            }
            guard await activities.knows(parsed.kind) else { throw HTTPError(.notFound, message: "There is no such activity here.") }
            key = parsed
        }
        let page: Page
        if let ticket = context.liveTicket, let visitor = context.visitor {
            // The room page's pass, checked against the cookie by `SessionMiddleware`.
            page = Page(visitor: visitor, participant: Participant(id: ticket.user, name: ticket.name, isOrganizer: ticket.organizer),
                        tenant: tenant.id, host: request.host, appearOffline: ticket.hidden)
        } else if let visitor = context.visitor, visitor.membershipStatus == .active, let role = visitor.role {
            let person = try await app.database.withTenant(tenant.id, user: visitor.userID) { tx in try await tx.livePerson(visitor.userID) }
            page = Page(visitor: visitor, participant: Participant(id: visitor.userID, name: person?.name ?? visitor.username, isOrganizer: role == .organizer),
                        tenant: tenant.id, host: request.host, appearOffline: person?.appearOffline ?? false)
        } else if let key, let visitor = context.visitor, visitor.isPlatformAdmin, visitor.actingForTenant == tenant.id {
            // A platform admin acting here enters an activity with an organizer's rights, and
            // only on the audited path: the entry is recorded.
            let name = try await app.database.withPlatformAccess(actor: visitor.userID, tenant: tenant.id, action: "live: entered \(key.address)") { tx in
                try await tx.user(visitor.userID)?.displayName
            }
            page = Page(visitor: visitor, participant: Participant(id: visitor.userID, name: name ?? visitor.username, isOrganizer: true),
                        tenant: tenant.id, host: request.host, actingAdmin: true)
        } else if let key, let token = request.cookies[app.cookies.guestName]?.value, Tokens.looksValid(token),
                  let guest = try await activities.guest(token: token, in: key) {
            // A guest of this one activity (a meeting's link): nothing else of the site.
            page = Page(visitor: nil, participant: guest, tenant: tenant.id, host: request.host)
        } else if context.visitor == nil {
            throw HTTPError(.unauthorized, message: "Sign in first.")
        } else {
            throw HTTPError(.forbidden, message: "Only members of this site can use its live connection.")
        }
        guard let key else { return .page(page, activity: nil) }
        do {
            guard let activity = try await activities.activity(key) else { throw HTTPError(.notFound, message: "There is no such activity here.") }
            return .page(page, activity: activity)
        } catch let refusal as ActivityRefusal {
            return .refused(page, refusal, address: key.address)
        } catch is HeldElsewhere {
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "5"], message: "This runs on another Mingle node just now; try again in a moment.")
        }
    }

    /// Whether the person behind an open socket is still signed in (same session), an active
    /// member of the tenant and of the same role as when they connected.
    func stillAdmitted(_ page: Page) async throws -> Bool {
        guard let visitor = page.visitor else { return true }  // a guest: their activity decides
        return try await app.database.withTenant(page.tenant) { tx in
            guard let session = try await tx.session(tokenHash: visitor.sessionTokenHash, host: page.host),
                  session.userID == visitor.userID else { return false }
            if page.actingAdmin { return session.isPlatformAdmin && session.actingTenant == page.tenant }
            guard let membership = try await tx.membership(user: visitor.userID) else { return false }
            return membership.status == .active && (membership.role == .organizer) == page.participant.isOrganizer
        }
    }

    /// Whether video is on, and the ICE servers the page's peer connections use: TURN with a
    /// credential for this person when configured (no public STUN: nothing leaves unasked).
    func mediaConfiguration(for user: Participant) async -> MediaConfiguration {
        var servers: [MediaConfiguration.ICEServer] = []
        if let turn = app.config.turn {
            let credential = turn.credential(for: user.id, now: Date())
            servers.append(.init(urls: turn.urls, username: credential.username, credential: credential.password))
        }
        return MediaConfiguration(enabled: await media.isConfigured, iceServers: servers)
    }

    struct MediaConfiguration: Encodable {
        struct ICEServer: Encodable {
            var urls: [String]
            var username: String
            var credential: String
        }
        var enabled: Bool
        var iceServers: [ICEServer]
    }

    /// The Origin must be this host with the public scheme: another site's page cannot use a
    /// visitor's cookie to act in their name (WebSockets are not covered by CORS).
    static func originAllowed(_ origin: String?, host: String, scheme: String) -> Bool {
        guard let origin, !host.isEmpty else { return false }
        return origin.lowercased() == "\(scheme)://\(host)"
    }

    /// A page in an activity: it enters, its events go to the socket's outbox, its requests and
    /// media requests go to the activity and the media layer; when the socket ends it leaves.
    private func open<A: Activity>(_ page: Page, in activity: A, connection: LiveConnection, logger: Logger) async {
        let address = activity.key.address
        // Held until the page has been told how video works here: that comes first.
        let outbox = SocketOutbox(connection, held: true)
        let entered: ConnectionID
        do {
            entered = try await activity.enter(page.participant, outbox: ActivityOutbox(
                send: { outbox.send(.event($0, activity: address)) },
                // The activity ended this connection (it closed).
                finish: { outbox.close(.normalClosure, reason: "closed") }))
        } catch {
            outbox.end()
            let refusal = error as? ActivityRefusal
            await refuse(connection, refusal ?? .failed, address: address, code: refusal == nil ? .unexpectedServerError : .normalClosure)
            return
        }
        let signalling = MediaSignalling(activity: activity, user: page.participant, rooms: media, logger: logger) { text in
            outbox.send(text)
        }
        outbox.open(first: .text(Envelope.text(type: "media-config", activity: address, data: await mediaConfiguration(for: page.participant))))
        await open(page, requests: A.Request.self, activity: activity.key, connection: connection, outbox: outbox,
                   activityRequest: { request, frame in
                       do {
                           try await activity.receive(request, from: entered)
                       } catch let refusal as ActivityRefusal {
                           outbox.send(Envelope.error(refusal, activity: address, ref: frame.ref, request: frame.type))
                       } catch {
                           outbox.send(Envelope.error(.failed, activity: address, ref: frame.ref, request: frame.type))
                       }
                   },
                   mediaRequest: { request, type, ref in await signalling.handle(request, type: type, ref: ref) },
                   leave: {
                       outbox.end()
                       await signalling.closeAll()
                       await activity.leave(entered)
                   })
    }

    /// Registers the page for presence, pushes and the periodic recheck, and hands its messages
    /// to `route` and its end to `leave`, through the socket's inbox. (Limits and the protocol
    /// are `LiveFrameHandler`'s.)
    private func open<Request: ActivityRequest>(
        _ page: Page, requests: Request.Type, activity key: ActivityKey?, connection: LiveConnection, outbox: SocketOutbox,
        activityRequest: @escaping @Sendable (Request, InboundFrame<SiteRequest, Request>) async -> Void,
        mediaRequest: (@Sendable (MediaRequest, String, String?) async -> Void)?,
        leave: @escaping @Sendable () async -> Void
    ) async {
        let address = key?.address
        // Guests are nobody's presence and get no pushes; their activity is all they have.
        let socket = await (page.actingAdmin ? nil : page.visitor).asyncMap { visitor in
            await sockets.connect(tenant: page.tenant, user: visitor.userID, hidden: page.appearOffline, activity: key?.kind) { outbox.send($0) }
        }
        let recheck = await page.visitor.asyncMap { _ in
            await rechecks.add(check: { (try? await stillAdmitted(page)) != false }, end: {
                outbox.send(Envelope.error(ActivityRefusal("signed-out", "You are no longer signed in as a member here; reload the page.")))
                outbox.close(.policyViolation, reason: "signed out")
            })
        }
        let site = SiteRequests(app: app, activities: activities, page: page)
        connection.inbox.start(
            handle: { message in
                await Self.route(message, site: site, address: address, outbox: outbox, activityRequest: activityRequest, mediaRequest: mediaRequest)
            },
            end: {
                if let socket { await sockets.disconnect(socket) }
                if let recheck { await rechecks.remove(recheck) }
                await leave()
            })
    }

    /// One message from a page, decoded once and routed: the site's own requests, media
    /// requests, activity requests.
    private static func route<Request: ActivityRequest>(
        _ message: LiveConnection.Message, site: SiteRequests, address: String?, outbox: SocketOutbox,
        activityRequest: @Sendable (Request, InboundFrame<SiteRequest, Request>) async -> Void,
        mediaRequest: (@Sendable (MediaRequest, String, String?) async -> Void)?
    ) async {
        let text: String
        switch message {
        case .rateLimited:
            outbox.send(Envelope.error(ActivityRefusal("rate-limited", "Too many messages; slow down.")))
            return
        case .binary:
            outbox.send(Envelope.error(ActivityRefusal("bad-message", "Messages are JSON text.")))
            return
        case .text(let message):
            text = message
        }
        let frame = InboundFrame<SiteRequest, Request>.decode(text)
        switch frame.body {
        case .site(let request):
            if let answer = await site.handle(request, ref: frame.ref) { outbox.send(answer) }
        case .invalid(let refusal):
            outbox.send(Envelope.error(refusal, activity: frame.activity, ref: frame.ref, request: frame.type))
        case .media, .activity:
            // Only the page's own activity (there is none without `?activity=`).
            guard address != nil, frame.activity == address else {
                outbox.send(Envelope.error(
                    ActivityRefusal("not-joined", "This page is not in that activity."), activity: frame.activity, ref: frame.ref, request: frame.type))
                return
            }
            if case .activity(let request) = frame.body { await activityRequest(request, frame) }
            if case .media(let request) = frame.body, let mediaRequest { await mediaRequest(request, frame.type, frame.ref) }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// A token bucket per connection: bursts of `capacity` messages (ICE candidates come in
/// bursts), `perSecond` on average. A connection that keeps hammering after being refused
/// `patience` times in a row is closed.
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
