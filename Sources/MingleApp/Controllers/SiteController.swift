import Foundation
import Hummingbird
import NIOCore
import Store

/// Home pages, the per-site stylesheet, the platform logo and stored images.
struct SiteController {
    let app: AppServices
    let platformLogo: [UInt8]

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("/", use: home)
        router.get("/brand.css", use: brandStylesheet)
        router.get("/assets/logo.png", use: logo)
        router.get("/images/:id", use: image)
        router.get("/healthz") { _, _ in "ok" }
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        switch context.site {
        case .platform:
            return try await PlatformHome(app: app).page(context)
        case .tenant(let tenant) where context.visitor?.takesPart(in: tenant.id) == true:
            return try await MemberHomeController(app: app).home(request, context: context)
        case .tenant:
            return try app.views.page("tenant_home", context, title: "Home")
        }
    }

    /// The accent colour as CSS custom properties, so pages need no inline styles (CSP).
    /// `--accent-strong` is the accent darkened until white text on it, and it as text on the
    /// page background, reach WCAG AA (4.5:1), whatever colour the organizer picked.
    @Sendable func brandStylesheet(_ request: Request, context: AppRequestContext) async throws -> Response {
        let accent = context.site.tenant?.branding.accentColor ?? app.views.platformBrand.accentColor
        let strong = AccentColor.readable(accent)
        let css = ":root { --accent: \(accent); --accent-strong: \(strong); --accent-text: #ffffff; }\n"
        return cached(Array(css.utf8), type: "text/css; charset=utf-8", etag: "\"\(accent.dropFirst())\"", request: request)
    }

    @Sendable func logo(_ request: Request, context: AppRequestContext) async throws -> Response {
        cached(platformLogo, type: "image/png", etag: "\"platform-logo-\(platformLogo.count)\"", request: request)
    }

    @Sendable func image(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant, let id = UUID(uuidString: try context.parameters.require("id")) else {
            throw HTTPError(.notFound)
        }
        // Profile pictures are for those who may see profiles; to anyone else they do not exist.
        guard let image = try await app.database.withTenant(tenant.id, { try await $0.image(id) }),
              image.purpose == .logo || context.visitor?.takesPart(in: tenant.id) == true else {
            throw HTTPError(.notFound, message: "There is no such image.")
        }
        return cached(image.bytes, type: image.mime, etag: "\"\(image.sha256)\"", request: request,
                      shared: image.purpose == .logo)
    }

    /// A strong ETag; `If-None-Match` gets 304 with no body.
    private func cached(_ bytes: [UInt8], type: String, etag: String, request: Request, shared: Bool = true) -> Response {
        var headers: HTTPFields = [.eTag: etag, .cacheControl: shared ? "public, max-age=300" : "private, max-age=300"]
        if let given = request.headers[.ifNoneMatch], given.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

}
