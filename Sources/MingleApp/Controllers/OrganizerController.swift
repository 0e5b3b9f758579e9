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
                           model: BrandingPageModel(BrandingForm(context.tenant), problems: FormProblems()))
    }

    @Sendable func saveBranding(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let form = BrandingForm(context.form, currentZone: context.tenant.timeZone)
        var problems = form.problems()
        var logo: ImageProcessor.Output?
        if let file = context.form.files["logo"], !file.bytes.isEmpty || !file.filename.isEmpty {
            do {
                logo = try images.process(file.bytes, into: .fit(width: 600, height: 200))
            } catch let error as ImageError {
                problems.add("logo", error.message)
            }
        }
        guard problems.isEmpty else {
            return try app.views.page("organize/branding", context, title: "Branding",
                                      model: BrandingPageModel(form, problems: problems), status: .unprocessableContent)
        }
        let branding = form.branding
        let tenant = context.tenant.id
        try await app.asOrganizer(context, action: "save branding") { tx in
            try await tx.updateBranding(tenant: tenant, branding)
            try await tx.setTenantTimeZone(tenant: tenant, form.zone)
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
    var title, header, footer, links, accent, zone: String
    var removeLogo: Bool

    init(_ tenant: Tenant) {
        let branding = tenant.branding
        zone = tenant.timeZone
        title = branding.titleText
        header = branding.headerText
        footer = branding.footerText
        links = branding.footerLinks.map { "\($0.label) | \($0.url)" }.joined(separator: "\n")
        accent = branding.accentColor
        removeLogo = false
    }

    /// A post without the zone field (an older page) keeps `currentZone`.
    init(_ form: FormData, currentZone: String) {
        title = form.text("title")
        header = form.text("header")
        footer = form.text("footer")
        links = form.text("links")
        accent = form.text("accent").lowercased()
        zone = form["time_zone"] == nil ? currentZone : form.text("time_zone")
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

    /// Every problem at once, each at its field.
    func problems() -> FormProblems {
        var problems = FormProblems()
        if title.unicodeScalars.count > 80 { problems.add("title", "The title-bar text can be at most 80 characters; this one has \(title.unicodeScalars.count).") }
        if header.unicodeScalars.count > 200 { problems.add("header", "The header text can be at most 200 characters; this one has \(header.unicodeScalars.count).") }
        if footer.unicodeScalars.count > 500 { problems.add("footer", "The footer text can be at most 500 characters; this one has \(footer.unicodeScalars.count).") }
        if let links = parsedLinks {
            if links.count > 8 { problems.add("links", "Use at most 8 footer links; there are \(links.count).") }
        } else {
            problems.add("links", "Write each footer link on its own line as “Label | https://address” (http, https, mailto or a path starting with /).")
        }
        if accent.range(of: "^#[0-9a-f]{6}$", options: .regularExpression) == nil {
            problems.add("accent", "The accent colour must look like #1a2b3c.")
        }
        if LocalTime.known(zone) == nil { problems.add("time_zone", "Choose a time zone for your site from the list.") }
        return problems
    }
}
