import Foundation
import Hummingbird
import NIOCore
import Store
import Templating

/// The platform's own brand, read once from `TenantAssets/default/brand.json`.
struct PlatformBrand: Sendable, Decodable {
    var name: String
    var title: String
    var header: String
    var footer: String
    var footerLinks: [FooterLink]
    var accentColor: String

    static func load(assetsPath: String) throws -> PlatformBrand {
        let data = try Data(contentsOf: URL(fileURLWithPath: assetsPath + "/default/brand.json"))
        return try JSONDecoder().decode(PlatformBrand.self, from: data)
    }
}

/// Renders Mustache pages inside the branded layout. Templates are loaded once at start-up,
/// and a missing one (or a partial some template names) stops start-up (`requireTemplates`).
struct Views: Sendable {
    let library: TemplateLibrary
    let platformBrand: PlatformBrand
    let rootURL: String

    init(templatesPath: String, platformBrand: PlatformBrand, rootURL: String) async throws {
        self.library = try TemplateLibrary.load(directory: templatesPath)
        self.platformBrand = platformBrand
        self.rootURL = rootURL
    }

    func requireTemplates(_ names: [String]) throws {
        for name in names + library.missingReferences() where !library.contains(name) {
            throw SettingsError.invalid("Templates", "template \(name).mustache is missing")
        }
    }

    /// A full page: `template` is rendered with the typed `model` under the key `page`, inside the
    /// layout (brand, signed-in person, CSRF token, flash message). A template that does not render
    /// throws, so the visitor gets a 500 and the log says which, never a 200 with a broken body.
    func page(_ template: String, _ context: some PageContext, title: String, model: some Encodable,
              status: HTTPResponse.Status = .ok) throws -> Response {
        html(try render(template, site: context.pageSite, visitor: context.pageVisitor, csrf: context.csrfToken,
                        flash: context.flash, zone: context.viewerZone, title: title, model: model), status: status)
    }

    /// A page that has no data of its own.
    func page(_ template: String, _ context: some PageContext, title: String, status: HTTPResponse.Status = .ok) throws -> Response {
        try page(template, context, title: title, model: NoPageData(), status: status)
    }

    func render(_ template: String, site: Site, visitor: Visitor?, csrf: String, flash: String?, zone: TimeZone,
                title: String, model: some Encodable) throws -> String {
        let layout = LayoutModel(brand: brand(site), me: visitor.map { VisitorModel($0, on: site) }, csrf: csrf,
                                 title: title, page: model, isPlatform: site.tenant == nil, rootURL: rootURL, flash: flash,
                                 zone: LocalTime.label(zone, at: Date()), zoneName: LocalTime.name(zone))
        guard let tree = try TemplateEncoder.encode(layout), let text = library.render(tree, template: template) else {
            throw PageRenderError(template: template)
        }
        return text
    }

    /// The brand as the mail templates read it.
    func brandModel(_ site: Site) -> TemplateValue {
        (try? TemplateEncoder.encode(brand(site))) ?? .object([:])
    }

    func brand(_ site: Site) -> BrandModel {
        switch site {
        case .platform:
            return BrandModel(name: platformBrand.name, title: platformBrand.title, header: platformBrand.header,
                              footer: platformBrand.footer, links: platformBrand.footerLinks.map(LinkModel.init),
                              logoURL: "/assets/logo.png", stylesheet: "/brand.css")
        case .tenant(let tenant):
            let b = tenant.branding
            return BrandModel(name: tenant.name, title: b.titleText.isEmpty ? tenant.name : b.titleText,
                              header: b.headerText, footer: b.footerText, links: b.footerLinks.map(LinkModel.init),
                              logoURL: b.logoImageID.map(PageLinks.image),
                              stylesheet: "/brand.css?v=\(tenant.branding.accentColor.dropFirst())")
        }
    }

    func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Unknown or suspended subdomain: the platform's plain 404, nothing of any tenant.
    func notFoundPlain() -> Response {
        plain(.notFound, heading: "Page not found", message: "There is no site at this address.")
    }

    /// A page in the platform's brand with nobody signed in: for when the site is not known.
    func plain(_ status: HTTPResponse.Status, heading: String, message: String) -> Response {
        let model = ErrorModel(heading: heading, message: message, homeURL: rootURL)
        guard let body = try? render("error", site: .platform, visitor: nil, csrf: "", flash: nil, zone: LocalTime.zone("UTC"), title: heading, model: model) else {
            return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "\(heading)\n\(message)\n")))
        }
        return html(body, status: status)
    }
}

/// A template that did not render (missing, or its model could not be encoded).
struct PageRenderError: Error, CustomStringConvertible {
    var template: String
    var description: String { "template \(template) did not render" }
}

/// The layout's model: every page has it, with the page's own model under `page`.
struct LayoutModel<Page: Encodable>: Encodable {
    var brand: BrandModel
    var me: VisitorModel?
    var csrf: String
    var title: String
    var page: Page
    var isPlatform: Bool
    var rootURL: String
    var flash: String?
    /// The viewer's zone as the footer names it ("Europe/Paris, UTC+01:00") and its IANA name
    /// (for the live page's own clocks).
    var zone: String
    var zoneName: String
}

struct BrandModel: Encodable {
    var name: String
    var title: String
    var header: String
    var footer: String
    var links: [LinkModel]
    var hasLinks: Bool
    var logoURL: String?
    var stylesheet: String

    init(name: String, title: String, header: String, footer: String, links: [LinkModel], logoURL: String?, stylesheet: String) {
        (self.name, self.title, self.header, self.footer) = (name, title, header, footer)
        (self.links, self.hasLinks, self.logoURL, self.stylesheet) = (links, !links.isEmpty, logoURL, stylesheet)
    }
}

struct LinkModel: Encodable {
    var label: String
    var url: String
    init(_ link: FooterLink) { (label, url) = (link.label, link.url) }
}

/// The signed-in person as the layout shows them (menu, unread badges).
struct VisitorModel: Encodable {
    var username: String
    var isPlatformAdmin: Bool
    var isOrganizer: Bool
    var actingAsAdmin: Bool
    var isMember: Bool
    var unreadMessages: Int
    var hasUnreadMessages: Bool
    var unreadNotices: Int
    var hasUnreadNotices: Bool
    /// Both, on the phone menu's button.
    var unreadTotal: Int
    var hasUnread: Bool
    var isActive: Bool
    /// Site requests waiting, for a platform admin on the platform host.
    var siteRequestsWaiting: Int
    var hasSiteRequestsWaiting: Bool

    init(_ visitor: Visitor, on site: Site) {
        let tenantID = site.tenant?.id
        username = visitor.username
        isPlatformAdmin = visitor.isPlatformAdmin
        isOrganizer = tenantID.map { visitor.organizes($0) } ?? false
        actingAsAdmin = tenantID != nil && visitor.actingForTenant == tenantID
        isMember = visitor.role != nil
        (unreadMessages, hasUnreadMessages) = (visitor.unreadMessages, visitor.unreadMessages > 0)
        (unreadNotices, hasUnreadNotices) = (visitor.unreadNotices, visitor.unreadNotices > 0)
        (unreadTotal, hasUnread) = (visitor.unreadMessages + visitor.unreadNotices, visitor.unreadMessages + visitor.unreadNotices > 0)
        isActive = visitor.membershipStatus == .active
        (siteRequestsWaiting, hasSiteRequestsWaiting) = (visitor.siteRequestsWaiting, visitor.siteRequestsWaiting > 0)
    }
}

/// The page model of a page that shows nothing of its own.
struct NoPageData: Encodable {}

/// The error page: what happened, and the way home.
struct ErrorModel: Encodable {
    var heading: String
    var message: String
    var homeURL: String
}
