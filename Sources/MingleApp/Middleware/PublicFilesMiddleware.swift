import Hummingbird

/// Public/ (stylesheet and scripts) is the same on every host and needs no tenant or session:
/// its paths are answered from disk before any database look-up runs.
struct PublicFilesMiddleware<Context: RequestContext, Provider: FileProvider>: RouterMiddleware
where Provider.FileAttributes: FileMiddlewareFileAttributes {
    let files: FileMiddleware<Context, Provider>
    static var prefixes: [String] { ["/css/", "/js/"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.prefixes.contains(where: { request.uri.path.hasPrefix($0) }) else { return try await next(request, context) }
        // FileMiddleware serves a file when what comes after it says "not found".
        return try await files.handle(request, context: context) { _, _ in throw HTTPError(.notFound) }
    }
}
