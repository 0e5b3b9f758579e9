import Foundation
import Hummingbird
import NIOCore
import Store

/// Which site a request is for, decided from its Host header (DESIGN §1).
public enum Site: Sendable {
    case platform
    case tenant(Tenant)

    public var tenant: Tenant? {
        if case .tenant(let tenant) = self { return tenant }
        return nil
    }
}

/// The signed-in person, as seen on the current site.
public struct Visitor: Sendable {
    public var userID: UserID
    public var username: String
    public var isPlatformAdmin: Bool
    /// Their membership in the current tenant, if any.
    public var role: Role?
    public var membershipStatus: MembershipStatus?
    /// Set when a platform admin opened this tenant's organizer portal from the console.
    public var actingForTenant: TenantID?
    public var emailConfirmed: Bool
    /// For the header: unread private messages and notifications on this site.
    public var unreadMessages = 0
    public var unreadNotices = 0
    /// The zone chosen in the account or taken from the browser, once known (IANA name).
    public var timeZone: String?
    /// For a platform admin on the platform host: site requests waiting (the console's badge).
    public var siteRequestsWaiting = 0
    let sessionTokenHash: [UInt8]

    /// May use the member area of `tenant`: an active member or organizer, or an acting admin.
    public func takesPart(in tenant: TenantID) -> Bool {
        membershipStatus == .active || (isPlatformAdmin && actingForTenant == tenant)
    }

    /// Organizer rights on `tenant`: an active organizer, or a platform admin who opened the
    /// portal through the audited console path.
    public func organizes(_ tenant: TenantID) -> Bool {
        (role == .organizer && membershipStatus == .active) || (isPlatformAdmin && actingForTenant == tenant)
    }
}

/// Per-request state, filled by the middleware in order: site, session, CSRF and form.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext, PageContext {
    public var coreContext: CoreRequestContextStorage
    /// Set when the router is asked whether to upgrade `/live/ws` (see `LiveServerChannel`).
    var liveAdmission: LiveAdmission?
    /// The pass a live socket's upgrade came with, when it fit (`LiveTicket`): who it is, without a look-up.
    var liveTicket: LiveTicket?
    public var site: Site = .platform
    public var visitor: Visitor?
    /// Token to embed in this response's forms.
    public var csrfToken: String = ""
    /// The body of a POST, parsed and CSRF-checked by `FormMiddleware`.
    public var form = FormData()
    /// A one-time confirmation carried over a redirect (signed cookie).
    public var flash: String?
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = remoteAddress?.ipAddress ?? "unknown"
    }

    /// The client's address for rate limiting (see `SiteMiddleware`).
    var clientAddress: String = "unknown"
    /// The zone the browser reported (the `mingle_tz` cookie site.js sets), if a known one.
    var browserZone: TimeZone?

    /// The zone times are shown in: the account's, else the browser's, else the site's default.
    public var viewerZone: TimeZone {
        LocalTime.known(visitor?.timeZone) ?? browserZone ?? LocalTime.zone(site.tenant?.timeZone ?? "UTC")
    }
}

/// Thrown to send an anonymous visitor to the sign-in page and back.
struct SignInRequired: Error {}

/// A request on a tenant's site.
public struct TenantRequestContext: ChildRequestContext, PageContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let visitor: Visitor?
    let clientAddress: String
    public let csrfToken: String
    public let form: FormData
    public let flash: String?
    public let viewerZone: TimeZone

    public init(context: AppRequestContext) throws {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        self.coreContext = context.coreContext
        self.tenant = tenant
        self.clientAddress = context.clientAddress
        self.visitor = context.visitor
        self.csrfToken = context.csrfToken
        self.form = context.form
        self.flash = context.flash
        self.viewerZone = context.viewerZone
    }
}

/// A request by someone signed in, on any host.
public struct SignedInRequestContext: ChildRequestContext, PageContext {
    public var coreContext: CoreRequestContextStorage
    public let site: Site
    public let visitor: Visitor
    let clientAddress: String
    public let csrfToken: String
    public let form: FormData
    public let flash: String?
    public let viewerZone: TimeZone

    public init(context: AppRequestContext) throws {
        guard let visitor = context.visitor else { throw SignInRequired() }
        self.coreContext = context.coreContext
        self.site = context.site
        self.clientAddress = context.clientAddress
        self.visitor = visitor
        self.csrfToken = context.csrfToken
        self.form = context.form
        self.flash = context.flash
        self.viewerZone = context.viewerZone
    }
}

/// Thrown when someone signed in reaches the member area before their membership is active.
struct MembershipRequired: Error {}

/// A request by someone who takes part in this tenant: an active member or organizer, or a
/// platform admin acting for it. Nothing of the member area runs for anyone else.
public struct MemberRequestContext: ChildRequestContext, PageContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let visitor: Visitor
    /// For limits per address (a watch room's PIN).
    let clientAddress: String
    public let csrfToken: String
    public let form: FormData
    public let flash: String?
    public let viewerZone: TimeZone

    public init(context: AppRequestContext) throws {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        guard let visitor = context.visitor else { throw SignInRequired() }
        guard visitor.takesPart(in: tenant.id) else { throw MembershipRequired() }
        self.coreContext = context.coreContext
        self.tenant = tenant
        self.visitor = visitor
        self.clientAddress = context.clientAddress
        self.csrfToken = context.csrfToken
        self.form = context.form
        self.flash = context.flash
        self.viewerZone = context.viewerZone
    }

    public var pageSite: Site { .tenant(tenant) }
    public var pageVisitor: Visitor? { visitor }
}

/// A request by an organizer of the tenant whose site this is.
public struct OrganizerRequestContext: ChildRequestContext, PageContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: Tenant
    public let visitor: Visitor
    public let csrfToken: String
    public let form: FormData
    public let flash: String?
    public let viewerZone: TimeZone

    public init(context: AppRequestContext) throws {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        guard let visitor = context.visitor else { throw SignInRequired() }
        guard visitor.organizes(tenant.id) else { throw HTTPError(.forbidden, message: "Only this site's organizers can open its organizer portal.") }
        self.coreContext = context.coreContext
        self.tenant = tenant
        self.visitor = visitor
        self.csrfToken = context.csrfToken
        self.form = context.form
        self.flash = context.flash
        self.viewerZone = context.viewerZone
    }
}

/// A platform admin on the platform's own host.
public struct PlatformAdminRequestContext: ChildRequestContext, PageContext {
    public var coreContext: CoreRequestContextStorage
    public let visitor: Visitor
    public let csrfToken: String
    public let form: FormData
    public let flash: String?
    public let viewerZone: TimeZone

    public init(context: AppRequestContext) throws {
        guard case .platform = context.site else { throw HTTPError(.notFound) }
        guard let visitor = context.visitor else { throw SignInRequired() }
        guard visitor.isPlatformAdmin else { throw HTTPError(.forbidden, message: "The console is for platform administrators.") }
        self.coreContext = context.coreContext
        self.visitor = visitor
        self.csrfToken = context.csrfToken
        self.form = context.form
        self.flash = context.flash
        self.viewerZone = context.viewerZone
    }
}

/// What every page's layout needs from a request: whose site, who is looking, the form token.
public protocol PageContext {
    var pageSite: Site { get }
    var pageVisitor: Visitor? { get }
    var csrfToken: String { get }
    var flash: String? { get }
    /// The zone this viewer reads times in.
    var viewerZone: TimeZone { get }
}

extension AppRequestContext { public var pageSite: Site { site }; public var pageVisitor: Visitor? { visitor } }
extension TenantRequestContext { public var pageSite: Site { .tenant(tenant) }; public var pageVisitor: Visitor? { visitor } }
extension SignedInRequestContext { public var pageSite: Site { site }; public var pageVisitor: Visitor? { visitor } }
extension OrganizerRequestContext { public var pageSite: Site { .tenant(tenant) }; public var pageVisitor: Visitor? { visitor } }
extension PlatformAdminRequestContext { public var pageSite: Site { .platform }; public var pageVisitor: Visitor? { visitor } }
