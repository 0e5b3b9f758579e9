import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Gives a refused WebSocket handshake its real status. Hummingbird answers every refused
/// upgrade with a bare 400, whatever the router answered; the protocol promises 401, 403, 404
/// or 503 with a reason (docs/LIVE_PROTOCOL.md). This middleware, first in the stack, sees the
/// router's answer to an upgrade request; when it is a refusal it puts an `UpgradeRefusalWriter`
/// in the connection's pipeline, through which the failed-upgrade answer then leaves.
struct UpgradeRefusalMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.upgrade]?.lowercased() == "websocket" else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            if response.status != .ok {
                await UpgradeRefusalWriter.install(status: response.status, message: response.status.reasonPhrase, context: context)
            }
            return response
        } catch let error as HTTPError {
            await UpgradeRefusalWriter.install(status: error.status, message: error.body ?? error.status.reasonPhrase, context: context)
            throw error
        } catch {
            await UpgradeRefusalWriter.install(status: .internalServerError, message: "Mingle could not open the live connection.", context: context)
            throw error
        }
    }
}

/// Rewrites the failed-upgrade answer (a bare 400) into the refusal's status and words.
final class UpgradeRefusalWriter: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let status: HTTPResponseStatus
    let message: String

    init(status: HTTPResponseStatus, message: String) {
        self.status = status
        self.message = message
    }

    /// Puts the handler in place for a refused upgrade (only a refused upgrade takes the
    /// failed-upgrade path; an accepted one never has it in its pipeline).
    static func install(status: HTTPResponse.Status, message: String, context: AppRequestContext) async {
        guard let channel = context.channel else { return }
        let handler = UpgradeRefusalWriter(status: HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase), message: message)
        try? await channel.pipeline.addHandler(handler).get()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest else {
            context.write(data, promise: promise)
            return
        }
        let body = ByteBuffer(string: message + "\n")
        head.status = status
        head.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        if status == .serviceUnavailable { head.headers.replaceOrAdd(name: "Retry-After", value: "5") }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: promise)
    }
}
