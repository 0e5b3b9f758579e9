import Foundation
import Hummingbird
import Mustache
import NIOCore
import Store

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
/// and a missing one stops start-up (`requireTemplates`).
struct Views: Sendable {
    let library: MustacheLibrary
    let platformBrand: PlatformBrand
    let rootURL: String

    init(templatesPath: String, platformBrand: PlatformBrand, rootURL: String) async throws {
        self.library = try await MustacheLibrary(directory: templatesPath)
        self.platformBrand = platformBrand
        self.rootURL = rootURL
    }

    func requireTemplates(_ names: [String]) throws {
        for name in names where library.getTemplate(named: name) == nil {
            throw SettingsError.invalid("Templates", "template \(name).mustache is missing")
        }
    }

    /// A full page: `template` is rendered with `page` under the key `page`, plus the layout's brand,
    /// signed-in person, CSRF token and flash message.
    func page(_ template: String, _ context: some PageContext, title: String, page: Any = [String: String](),
              status: HTTPResponse.Status = .ok) -> Response {
        html(render(template, site: context.pageSite, visitor: context.pageVisitor, csrf: context.csrfToken,
                    flash: context.flash, title: title, page: page), status: status)
    }

    func render(_ template: String, site: Site, visitor: Visitor?, csrf: String, flash: String?, title: String,
                page: Any) -> String {
        let brand = brandModel(site)
        var me: [String: Any]? = nil
        if let visitor {
            let tenantID = site.tenant?.id
            me = ["username": visitor.username,
                  "isPlatformAdmin": visitor.isPlatformAdmin,
                  "isOrganizer": tenantID.map { visitor.organizes($0) } ?? false,
                  "actingAsAdmin": tenantID != nil && visitor.actingForTenant == tenantID,
                  "isMember": visitor.role != nil,
                  "unreadMessages": visitor.unreadMessages, "hasUnreadMessages": visitor.unreadMessages > 0,
                  "unreadNotices": visitor.unreadNotices, "hasUnreadNotices": visitor.unreadNotices > 0,
                  "isActive": visitor.membershipStatus == .active]
        }
        var page = Self.withoutEmptyText(page)
        if var fields = page as? [String: Any], let errors = fields["errors"] as? [String] {
            fields["hasErrors"] = !errors.isEmpty
            page = fields
        }
        // Absent values must be absent keys: Mustache treats an Optional boxed in Any as present.
        var model: [String: Any] = [
            "brand": brand, "csrf": csrf, "title": title, "page": page, "isPlatform": site.tenant == nil, "rootURL": rootURL,
        ]
        if let me { model["me"] = me }
        if let flash { model["flash"] = flash }
        return library.render(model, withTemplate: template) ?? "template \(template) failed to render"
    }

    /// Mustache opens a section for an empty string, so `{{#url}}…{{/url}}` would show for "".
    /// Empty texts are taken out of page models (a missing key renders as nothing anyway).
    static func withoutEmptyText(_ value: Any) -> Any {
        if let fields = value as? [String: Any] {
            return fields.filter { !(($0.value as? String)?.isEmpty ?? false) }.mapValues(withoutEmptyText)
        }
        if let rows = value as? [[String: Any]] { return rows.map { withoutEmptyText($0) } }
        return value
    }

    /// Empty texts are left out: Mustache shows a section for an empty string.
    func brandModel(_ site: Site) -> [String: Any] {
        brandFields(site).filter { !(($0.value as? String)?.isEmpty ?? false) }
    }

    private func brandFields(_ site: Site) -> [String: Any] {
        switch site {
        case .platform:
            return ["name": platformBrand.name, "title": platformBrand.title, "header": platformBrand.header,
                    "footer": platformBrand.footer, "links": platformBrand.footerLinks.map(linkModel),
                    "hasLinks": !platformBrand.footerLinks.isEmpty,
                    "logoURL": "/assets/logo.png", "stylesheet": "/brand.css"]
        case .tenant(let tenant):
            let b = tenant.branding
            var model: [String: Any] = ["name": tenant.name, "title": b.titleText.isEmpty ? tenant.name : b.titleText,
                    "header": b.headerText, "footer": b.footerText, "links": b.footerLinks.map(linkModel),
                    "hasLinks": !b.footerLinks.isEmpty,
                    "stylesheet": "/brand.css?v=\(tenant.branding.accentColor.dropFirst())"]
            if let logo = b.logoImageID { model["logoURL"] = "/images/\(logo.uuidString.lowercased())" }
            return model
        }
    }

    private func linkModel(_ link: FooterLink) -> [String: String] { ["label": link.label, "url": link.url] }

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
        html(render("error", site: .platform, visitor: nil, csrf: "", flash: nil, title: heading,
                    page: ["heading": heading, "message": message, "homeURL": rootURL]), status: status)
    }
}
