import Hummingbird
import Store

/// What controllers share; built once in `buildApplication`. A class: every controller, and
/// every open socket's closures, hold a reference rather than a copy of the configuration.
final class AppServices: Sendable {
    let config: AppConfiguration
    let database: Database
    let views: Views
    let mailer: Mailer
    let passwords: Passwords
    let signer: Signer
    let cookies: SessionCookies
    let directory: TenantDirectory

    init(config: AppConfiguration, database: Database, views: Views, mailer: Mailer, passwords: Passwords, signer: Signer,
         cookies: SessionCookies, directory: TenantDirectory) {
        self.config = config
        self.database = database
        self.views = views
        self.mailer = mailer
        self.passwords = passwords
        self.signer = signer
        self.cookies = cookies
        self.directory = directory
    }

    /// Redirect after a successful form post, with a confirmation shown on the next page.
    func redirect(to location: String, flash: String? = nil) -> Response {
        var response = Response.redirect(to: location, type: .normal)
        if let flash {
            let encoded = Tokens.base64url(Array(flash.utf8))
            response.setCookie(Cookie(name: cookies.flashName, value: "\(encoded).\(signer.sign("flash", encoded))",
                                      path: "/", secure: cookies.secure, httpOnly: true, sameSite: .lax))
        }
        return response
    }

    /// Only a path on this site: one leading `/`, then URL-safe characters. Browsers drop tabs
    /// and line breaks from `Location` and read `\\` as `/`, so those never pass. No `.` or `..`
    /// segments (plain or percent-encoded), so a prefix check on the result means what it says.
    static func safeNext(_ next: String?) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?=&%+")
        guard let next, next.count <= 500, next.hasPrefix("/"), !next.hasPrefix("//"),
              next.allSatisfy(allowed.contains) else { return "/" }
        let path = next.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let segments = path.lowercased().replacingOccurrences(of: "%2e", with: ".").split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }) else { return "/" }
        return next
    }

    /// The organizer portal's way to the tenant's data: an organizer's own transaction, or for
    /// a platform admin who opened the portal from the console, the audited platform path.
    func asOrganizer<R: Sendable>(_ context: OrganizerRequestContext, action: String,
                                  _ body: (Transaction) async throws -> R) async throws -> R {
        let visitor = context.visitor
        return try await asOwnOrAudited(visitor, tenant: context.tenant.id, own: visitor.role == .organizer,
                                        action: "organizer portal: \(action)", body)
    }

    /// The member area's way to the tenant's data: the member's own transaction, or for an
    /// acting platform admin, the audited platform path.
    func asMember<R: Sendable>(_ context: MemberRequestContext, action: String,
                               _ body: (Transaction) async throws -> R) async throws -> R {
        try await asOwnOrAudited(context.visitor, tenant: context.tenant.id, own: true,
                                 action: "member area: \(action)", body)
    }

    /// The visitor's own transaction when their active membership (of the kind `own` says)
    /// gives the right; otherwise they are an acting platform admin, on the audited path.
    private func asOwnOrAudited<R: Sendable>(_ visitor: Visitor, tenant: TenantID, own: Bool, action: String,
                                             _ body: (Transaction) async throws -> R) async throws -> R {
        if own && visitor.membershipStatus == .active {
            return try await database.withTenant(tenant, user: visitor.userID, body)
        }
        return try await database.withPlatformAccess(actor: visitor.userID, tenant: tenant, action: action, body)
    }

    func host(_ site: Site) -> String {
        site.tenant.map { "\($0.slug).\(config.rootHost)" } ?? config.rootHost
    }
}
