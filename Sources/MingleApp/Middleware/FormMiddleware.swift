import Hummingbird
import NIOCore

/// Every state-changing request is a form post: this reads the body once (bounded), parses
/// it and refuses it unless it carries this visitor's CSRF token.
struct FormMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let maxBody = 6 * 1024 * 1024
    /// Machine endpoints that authenticate otherwise (signatures), added by later features.
    let exemptPrefixes: [String]

    /// `/w/<room>/upload`: a video streamed to disk.
    static func isStreamedUpload(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].isEmpty && parts[1] == "w" && parts[3] == "upload"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method),
              !exemptPrefixes.contains(where: { request.uri.path.hasPrefix($0) }) else {
            return try await next(request, context)
        }
        // A watch room's video is streamed to the media store by its route, never collected here;
        // its CSRF token comes in a header.
        if Self.isStreamedUpload(request.uri.path) {
            guard !context.csrfToken.isEmpty, request.headers[.init("X-CSRF-Token")!] == context.csrfToken else {
                throw HTTPError(.forbidden, message: "This upload did not come from this site's page. Reload the page and try again.")
            }
            return try await next(request, context)
        }
        var context = context
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBody)
        } catch {
            throw HTTPError(.contentTooLarge, message: "That upload is too large (the limit is 6 MB).")
        }
        let bytes = Array(body.readableBytesView)
        let contentType = request.headers[.contentType] ?? ""

        if contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = contentType.components(separatedBy: "boundary=").last?
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\" ")),
                  !boundary.isEmpty, let form = FormData.multipart(bytes, boundary: boundary) else {
                throw HTTPError(.badRequest, message: "The form could not be read. Please try again.")
            }
            context.form = form
        } else {
            context.form = FormData.urlEncoded(String(decoding: bytes, as: UTF8.self))
        }
        // PostgreSQL text cannot hold NUL, and no form field needs other control characters.
        let controls = CharacterSet.controlCharacters.subtracting(CharacterSet(charactersIn: "\n\r\t"))
        if context.form.fields.values.joined().contains(where: { $0.unicodeScalars.contains(where: controls.contains) }) {
            throw HTTPError(.badRequest, message: "The form contains characters that are not allowed. Remove them and try again.")
        }
        let given = context.form["_csrf"] ?? request.headers[.init("X-CSRF-Token")!] ?? ""
        guard !context.csrfToken.isEmpty, given == context.csrfToken else {
            throw HTTPError(.forbidden, message: "This form has expired or did not come from this site. Reload the page and try again.")
        }
        return try await next(request, context)
    }
}

import Foundation
