import Crypto
import Foundation
import Hummingbird
import Imaging
import Store

/// The organizer portal (`/organize`) of a tenant's site: dashboard and branding.
struct OrganizerController {
    let app: AppServices
    let images = ImageProcessor()

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let portal = router.group("/organize", context: OrganizerRequestContext.self)
        portal.get("", use: dashboard)
        portal.get("/branding", use: brandingForm)
        portal.post("/branding", use: saveBranding)
    }

    @Sendable func dashboard(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (members, facts) = try await app.asOrganizer(context, action: "view members") { tx in
            (try await tx.members(), try await tx.siteSetupFacts())
        }
        let setup = SetupChecklistModel(tenant: context.tenant, facts: facts, members: members,
                                        joinURL: "\(app.config.baseURL(tenantSlug: context.tenant.slug))/join")
        return try app.views.page("organize/dashboard", context, title: "Organizer portal",
                                  model: OrganizerDashboardModel(members: members, setup: setup))
    }

    @Sendable func brandingForm(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try app.views.page("organize/branding", context, title: "Branding",
                           model: BrandingPageModel(BrandingForm(context.tenant.branding), errors: []))
    }

    @Sendable func saveBranding(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let form = BrandingForm(context.form)
        var errors = form.problems()
        var logo: ImageProcessor.Output?
        if let file = context.form.files["logo"], !file.bytes.isEmpty || !file.filename.isEmpty {
            do {
                logo = try images.process(file.bytes, into: .fit(width: 600, height: 200))
            } catch let error as ImageError {
                errors.append("Logo: \(error.message)")
            }
        }
        guard errors.isEmpty else {
            return try app.views.page("organize/branding", context, title: "Branding",
                                      model: BrandingPageModel(form, errors: errors), status: .unprocessableContent)
        }
        let branding = form.branding
        let tenant = context.tenant.id
        try await app.asOrganizer(context, action: "save branding") { tx in
            try await tx.updateBranding(tenant: tenant, branding)
            if let logo {
                let digest = SHA256.hash(data: Data(logo.bytes)).map { String(format: "%02x", $0) }.joined()
                let image = try await tx.insertImage(tenant: tenant, sha256: digest, mime: logo.mime,
                                                     width: logo.width, height: logo.height, bytes: logo.bytes)
                try await tx.setLogo(tenant: tenant, image: image)
            } else if form.removeLogo {
                try await tx.setLogo(tenant: tenant, image: nil)
            }
        }
        await app.directory.invalidate(slug: context.tenant.slug)
        return app.redirect(to: "/organize/branding", flash: "Branding saved. Every page and email of your site now uses it.")
    }
}

/// The branding form: plain text only (everything is escaped when shown), links checked.
struct BrandingForm {
    var title, header, footer, links, accent: String
    var removeLogo: Bool

    init(_ branding: Branding) {
        title = branding.titleText
        header = branding.headerText
        footer = branding.footerText
        links = branding.footerLinks.map { "\($0.label) | \($0.url)" }.joined(separator: "\n")
        accent = branding.accentColor
        removeLogo = false
    }

    init(_ form: FormData) {
        title = form.text("title")
        header = form.text("header")
        footer = form.text("footer")
        links = form.text("links")
        accent = form.text("accent").lowercased()
        removeLogo = form["remove_logo"] == "on"
    }

    var parsedLinks: [FooterLink]? {
        var result: [FooterLink] = []
        for line in links.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].unicodeScalars.count <= 60, Self.isSafeURL(parts[1]) else { return nil }
            result.append(FooterLink(label: parts[0], url: parts[1]))
        }
        return result
    }

    /// http(s) URLs, mailto: addresses or paths on this site; never `javascript:` and the like.
    static func isSafeURL(_ url: String) -> Bool {
        guard url.count <= 500, !url.contains(where: { $0.isWhitespace }) else { return false }
        if url.hasPrefix("/") && !url.hasPrefix("//") { return true }
        let lower = url.lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && url.count > 8 || lower.hasPrefix("mailto:")
    }

    var branding: Branding {
        Branding(titleText: title, headerText: header, footerText: footer, footerLinks: parsedLinks ?? [], accentColor: accent)
    }

    func problems() -> [String] {
        var errors: [String] = []
        if title.unicodeScalars.count > 80 { errors.append("The title-bar text can be at most 80 characters.") }
        if header.unicodeScalars.count > 200 { errors.append("The header text can be at most 200 characters.") }
        if footer.unicodeScalars.count > 500 { errors.append("The footer text can be at most 500 characters.") }
        if accent.range(of: "^#[0-9a-f]{6}$", options: .regularExpression) == nil {
            errors.append("The accent colour must look like #1a2b3c.")
        }
        if let links = parsedLinks {
            if links.count > 8 { errors.append("Use at most 8 footer links.") }
        } else {
            errors.append("Write each footer link on its own line as “Label | https://address” (http, https, mailto or a path starting with /).")
        }
        return errors
    }
}
