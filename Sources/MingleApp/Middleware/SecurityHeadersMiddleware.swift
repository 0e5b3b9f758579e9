import Hummingbird

/// No inline script or style anywhere, so a strict Content-Security-Policy holds on every page.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: String

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
        response.headers[.contentSecurityPolicy] = policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        return response
    }
}
