import Foundation
import Hummingbird
import Store

/// Host → site (DESIGN §1). `<root>` is the platform; `<slug>.<root>` an active tenant;
/// anything else, a plain 404 that shows no tenant's data.
struct SiteMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let rootHost: String
    let directory: TenantDirectory
    let views: Views
    let trustForwardedFor: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.host
        var context = context
        if trustForwardedFor, let forwarded = request.headers[.init("X-Forwarded-For")!]?.split(separator: ",").last {
            context.clientAddress = forwarded.trimmingCharacters(in: .whitespaces)
        }
        if host == rootHost {
            context.site = .platform
            return try await next(request, context)
        }
        if let slug = Self.slug(host: host, rootHost: rootHost),
           let tenant = try await directory.tenant(slug: slug), tenant.status == .active {
            context.site = .tenant(tenant)
            return try await next(request, context)
        }
        // The plain 404 page still needs the platform's stylesheet and logo on this host.
        if ["/brand.css", "/assets/logo.png"].contains(request.uri.path) {
            context.site = .platform
            return try await next(request, context)
        }
        return views.notFoundPlain()
    }

    static func slug(host: String, rootHost: String) -> String? {
        guard host.hasSuffix("." + rootHost) else { return nil }
        let slug = String(host.dropLast(rootHost.count + 1))
        guard !slug.isEmpty, !slug.contains("."), slug.count <= 40,
              slug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else { return nil }
        return slug
    }
}
