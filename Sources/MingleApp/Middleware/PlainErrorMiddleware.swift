import Hummingbird
import Logging

/// Outermost catch: an error from tenant or session look-up (say, the database is down)
/// still gets a page, in the platform's brand, that reveals nothing.
struct PlainErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let views: Views

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where request.headers[.upgrade]?.lowercased() == "websocket" {
            // A refused WebSocket handshake: no page, the refusal itself (UpgradeRefusalMiddleware).
            throw error
        } catch let error as HTTPError where error.status.code < 500 {
            return views.plain(error.status, heading: "That did not work", message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed before the site was known: \(String(reflecting: error))")
            return views.plain(.serviceUnavailable, heading: "Something went wrong",
                               message: "The site could not answer just now. Please try again in a moment.")
        }
    }
}
