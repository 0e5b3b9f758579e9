import Hummingbird
import HummingbirdWebSocket

// The memory baseline of `mingle load` (docs/LOAD.md): a bare Hummingbird WebSocket server with
// the live socket's configuration (same frame limit, pings every 10 s, UTF-8 checked) whose
// handler sends each page one message and then only reads. What a connection costs here is
// what Hummingbird's WebSocket costs before Mingle does anything.
//   socket-baseline [port]   (serves /live/ws on 127.0.0.1)
let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 18091
let router = Router(context: BasicWebSocketRequestContext.self)
router.ws("/live/ws") { inbound, outbound, _ in
    try await outbound.write(.text(#"{"data":{"full":true,"offline":[],"online":[]},"type":"presence","v":1}"#))
    for try await _ in inbound.messages(maxSize: 64 * 1024) {}
}
let app = Application(
    router: router,
    server: .http1WebSocketUpgrade(
        webSocketRouter: router,
        configuration: .init(ws: .init(maxFrameSize: 64 * 1024, autoPing: .enabled(timePeriod: .seconds(10)), validateUTF8: true))),
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "socket-baseline"))
try await app.runService()
