import Foundation
import Hummingbird
import Store

/// Reads the session cookie, finds the visitor and their membership here, and decides the
/// CSRF token for this response's forms.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let database: Database
    let cookies: SessionCookies
    let signer: Signer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A room page's socket with a pass that fits its cookie: no look-up at all (`LiveTicket`).
        if let ticketed = ticketed(request, context) { return try await next(request, ticketed) }
        // A page view reads in one transaction, the visitor's look-up included (issue 13). Posts
        // keep a transaction per step: some must commit whatever follows (a failed sign-in's count).
        guard request.method == .get || request.method == .head else { return try await handle(request, context, next) }
        return try await database.withRequestTransaction { try await handle(request, context, next) }
    }

    private func handle(_ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let host = request.host
        var newCSRFCookie: String?
        let jar = request.cookies  // parsed once: each read of `request.cookies` parses the header
        context.browserZone = LocalTime.known(jar[SessionCookies.zoneName]?.value.removingPercentEncoding)
        if let token = jar[cookies.sessionName]?.value, Tokens.looksValid(token) {
            context.visitor = try await visitor(token: token, host: host, site: context.site)
        }
        if var visitor = context.visitor, visitor.timeZone == nil, let zone = context.browserZone {
            // The account takes the browser's zone the first time it is known (once per person).
            try await database.withoutTenant(user: visitor.userID) {
                try await $0.setTimeZone(user: visitor.userID, LocalTime.name(zone), onlyIfUnset: true)
            }
            visitor.timeZone = LocalTime.name(zone)
            context.visitor = visitor
        }
        if let visitor = context.visitor {
            context.csrfToken = signer.csrfToken(host: host, basis: Tokens.hex(visitor.sessionTokenHash))
        } else {
            var basis = jar[cookies.csrfName]?.value ?? ""
            if !Tokens.looksValid(basis) {
                basis = Tokens.random()
                newCSRFCookie = basis
            }
            context.csrfToken = signer.csrfToken(host: host, basis: basis)
        }
        let flashCookie = jar[cookies.flashName]?.value
        if let flashCookie { context.flash = readFlash(flashCookie) }
        var response = try await next(request, context)
        if let newCSRFCookie { response.setCookie(cookies.csrfCookie(newCSRFCookie)) }
        // Shown once: cleared unless this response sets a new one (a redirect after a post).
        if flashCookie != nil && !response.headers[values: .setCookie].contains(where: { $0.hasPrefix(cookies.flashName + "=") }) {
            response.setCookie(cookies.expired(cookies.flashName))
        }
        return response
    }

    /// The context of a live socket's upgrade whose `ticket` is good for its session cookie,
    /// tenant and activity; nil otherwise (the session is then looked up as for any request).
    private func ticketed(_ request: Request, _ context: Context) -> Context? {
        guard request.method == .get, request.uri.path == LiveServerChannel.path, case .tenant(let tenant) = context.site,
              let text = request.uri.queryParameters.get("ticket"), let ticket = LiveTicket.read(text, signer: signer),
              let token = request.cookies[cookies.sessionName]?.value, Tokens.looksValid(token),
              ticket.fits(tenant: tenant.id, token: token, activity: request.uri.queryParameters.get("activity")) else { return nil }
        var context = context
        context.visitor = Visitor(userID: ticket.user, username: ticket.username, isPlatformAdmin: false,
                                  role: ticket.organizer ? .organizer : .member, membershipStatus: .active, actingForTenant: nil,
                                  emailConfirmed: true, sessionTokenHash: Tokens.hash(token))
        context.liveTicket = ticket
        return context
    }

    /// `base64url(text).signature`; anything else is ignored.
    private func readFlash(_ value: String) -> String? {
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, signer.verify("flash", parts[0], signature: parts[1]) else { return nil }
        return Tokens.base64urlDecoded(parts[0]).map { String(decoding: $0, as: UTF8.self) }
    }

    private func visitor(token: String, host: String, site: Site) async throws -> Visitor? {
        let hash = Tokens.hash(token)
        func visitor(_ session: SessionRecord, _ membership: (role: Role, status: MembershipStatus)?) -> Visitor {
            Visitor(userID: session.userID, username: session.username, isPlatformAdmin: session.isPlatformAdmin,
                    role: membership?.role, membershipStatus: membership?.status,
                    actingForTenant: session.actingTenant, emailConfirmed: session.emailConfirmed,
                    timeZone: session.timeZone, sessionTokenHash: hash)
        }
        switch site {
        case .platform:
            return try await database.withoutTenant { tx -> Visitor? in
                guard var found = try await tx.session(tokenHash: hash, host: host).map({ visitor($0, nil) }) else { return nil }
                if found.isPlatformAdmin { found.siteRequestsWaiting = try await tx.siteRequestsWaiting(admin: found.userID) }
                return found
            }
        case .tenant(let tenant):
            return try await database.withTenant(tenant.id) { tx in
                guard let found = try await tx.tenantVisitor(tokenHash: hash, host: host) else { return nil }
                // Someone who left is no member here: they see what any outsider sees, and may join again.
                let membership = found.role.flatMap(Role.init(rawValue:)).flatMap { role in
                    found.status.flatMap(MembershipStatus.init(rawValue:)).map { (role: role, status: $0) }
                }.flatMap { $0.status == .left ? nil : $0 }
                var result = visitor(found.session, membership)
                (result.unreadMessages, result.unreadNotices) = (found.unreadMessages, found.unreadNotices)
                return result
            }
        }
    }
}

/// Cookie names and attributes: host-only (no Domain), HttpOnly, SameSite=Lax; `Secure` and
/// the `__Host-` prefix outside development.
struct SessionCookies: Sendable {
    let secure: Bool
    var sessionName: String { secure ? "__Host-mingle_session" : "mingle_session" }
    var csrfName: String { secure ? "__Host-mingle_csrf" : "mingle_csrf" }
    var flashName: String { secure ? "__Host-mingle_flash" : "mingle_flash" }
    static let sessionLifetime = Duration.seconds(14 * 24 * 3600)
    /// Set by site.js to the browser's IANA zone (not HttpOnly: the page's script writes it).
    static let zoneName = "mingle_tz"

    func sessionCookie(_ token: String) -> Cookie {
        Cookie(name: sessionName, value: token, maxAge: Int(Self.sessionLifetime.components.seconds), path: "/",
               secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// A meeting guest's token (no account: a name for one meeting, on this host only).
    var guestName: String { secure ? "__Host-mingle_guest" : "mingle_guest" }
    static let guestLifetime = Duration.seconds(24 * 3600)

    func guestCookie(_ token: String) -> Cookie {
        Cookie(name: guestName, value: token, maxAge: Int(Self.guestLifetime.components.seconds), path: "/",
               secure: secure, httpOnly: true, sameSite: .lax)
    }

    func csrfCookie(_ token: String) -> Cookie {
        Cookie(name: csrfName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func expired(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
