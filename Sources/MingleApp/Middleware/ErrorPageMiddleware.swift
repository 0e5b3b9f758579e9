import Hummingbird
import Logging

/// Turns errors into pages in the site's own brand: 4xx with the message the person needs,
/// a sign-in redirect for anonymous visitors, and a plain 500 that reveals nothing.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let views: Views

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is SignInRequired {
            let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            return Response.redirect(to: "/sign-in?next=\(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")", type: .found)
        } catch is MembershipRequired {
            return Response.redirect(to: "/membership", type: .found)
        } catch let error as HTTPError where request.headers[.upgrade]?.lowercased() == "websocket" {
            // A refused WebSocket handshake (`LiveServerChannel`): no page, the reason in plain text.
            var response = Response(status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
                                    body: .init(byteBuffer: ByteBuffer(string: (error.body ?? error.status.reasonPhrase) + "\n")))
            for field in error.headers { response.headers[field.name] = field.value }
            return response
        } catch let error as HTTPError {
            let status = error.status
            let heading: String = switch status.code {
            case 404: "Page not found"
            case 403: "Not allowed"
            case 413: "Too large"
            case 429: "Too many attempts"
            default: status.code < 500 ? "That did not work" : "Something went wrong"
            }
            let message = error.body ?? (status == .notFound ? "There is nothing at this address." : status.reasonPhrase)
            var response = errorPage(context, heading: heading, message: message, status: status)
            for (name, value) in error.headers.map({ ($0.name, $0.value) }) { response.headers[name] = value }
            return response
        } catch {
            context.logger.error("request failed: \(String(reflecting: error))")
            return errorPage(context, heading: "Something went wrong",
                             message: "We could not finish that request. Nothing was changed. Please try again in a moment.",
                             status: .internalServerError)
        }
    }

    /// The error page in the site's brand; should even that not render, the same words as plain text.
    private func errorPage(_ context: Context, heading: String, message: String, status: HTTPResponse.Status) -> Response {
        do {
            return try views.page("error", context, title: heading, model: ErrorModel(heading: heading, message: message, homeURL: "/"),
                                  status: status)
        } catch {
            context.logger.error("error page failed: \(String(reflecting: error))")
            return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "\(heading)\n\(message)\n")))
        }
    }
}

import Foundation
