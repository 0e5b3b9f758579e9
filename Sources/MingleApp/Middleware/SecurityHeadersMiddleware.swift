import HTTPTypes
import Hummingbird

/// No inline script or style anywhere, so a strict Content-Security-Policy holds on every page.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: String
    /// Extra sources a page may ask for in its response (this header, removed before sending):
    /// `media` (a watch room plays a direct link to a video elsewhere) and `youtube` (its
    /// IFrame player). Every other page keeps the strict policy.
    static var allowanceHeader: HTTPField.Name { HTTPField.Name("X-Mingle-Allow")! }

    /// `form-action` names the tenant subdomains and PayPal's approval pages too: browsers apply it
    /// to the redirect after a post, and "open organizer portal" lands on the tenant's host while
    /// "pay" lands on PayPal.
    init(scheme: String, rootHost: String, formTargets: [String] = []) {
        let targets = (["'self'", "\(scheme)://*.\(rootHost)"] + formTargets).joined(separator: " ")
        policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
            + "base-uri 'none'; frame-ancestors 'none'; form-action \(targets)"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        var policy = self.policy
        if let allowance = response.headers[Self.allowanceHeader] {
            response.headers[Self.allowanceHeader] = nil
            let asked = Set(allowance.split(separator: " "))
            if asked.contains("media") { policy += "; media-src 'self' https: http:" }
            if asked.contains("youtube") {
                policy = policy.replacingOccurrences(of: "script-src 'self'", with: "script-src 'self' https://www.youtube.com https://s.ytimg.com")
                    .replacingOccurrences(of: "img-src 'self' data:", with: "img-src 'self' data: https://i.ytimg.com")
                policy += "; frame-src https://www.youtube.com https://www.youtube-nocookie.com"
            }
        }
        response.headers[.contentSecurityPolicy] = policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        return response
    }
}
