import Hummingbird
import Store

/// What controllers share; built once in `buildApplication`.
struct AppServices: Sendable {
    let config: AppConfiguration
    let database: Database
    let views: Views
    let mailer: Mailer
    let passwords: Passwords
    let signer: Signer
    let cookies: SessionCookies
    let directory: TenantDirectory

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

    /// Only same-site paths: `/x`, never `//host` or a full URL.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\") else { return "/" }
        return next
    }

    func host(_ site: Site) -> String {
        site.tenant.map { "\($0.slug).\(config.rootHost)" } ?? config.rootHost
    }
}
