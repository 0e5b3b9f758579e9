import Foundation
import Hummingbird

/// Public/ (stylesheet and scripts) is the same on every host and needs no tenant or session:
/// its paths are answered from disk before any database look-up runs.
struct PublicFilesMiddleware<Context: RequestContext, Provider: FileProvider>: RouterMiddleware
where Provider.FileAttributes: FileMiddlewareFileAttributes {
    let files: FileMiddleware<Context, Provider>
    static var prefixes: [String] { ["/css/", "/js/"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.prefixes.contains(where: { request.uri.path.hasPrefix($0) }) else { return try await next(request, context) }
        // A NUL (`%00`) would end the file name early (`/css/app.css%00.png` opening the
        // stylesheet as an image): no file name has control characters, so such a path is refused.
        guard let decoded = request.uri.path.removingPercentEncoding,
              !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw HTTPError(.badRequest, message: "That address is not valid.")
        }
        // FileMiddleware serves a file when what comes after it says "not found".
        return try await files.handle(request, context: context) { _, _ in throw HTTPError(.notFound) }
    }
}
