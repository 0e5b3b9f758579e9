import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Outbound
import PayPalSimulator

/// `mingle paypal-sim`: the simulated PayPal for development and the demo. Refused in production mode.
struct PayPalSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "paypal-sim",
        abstract: "Run a simulated PayPal (OAuth, Orders v2, approval page, webhooks) for development. Refused when MINGLE_MODE=production.")

    @Option(help: "Port to listen on.") var port = 8089
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(name: .customLong("public-url"), help: "URL browsers use to reach the simulator (default http://127.0.0.1:<port>).")
    var publicURL: String?

    func run() async throws {
        let mode = ProcessInfo.processInfo.environment["MINGLE_MODE"] ?? ""
        guard mode.trimmingCharacters(in: .whitespaces).lowercased() != "production" else {
            throw ValidationError("the PayPal simulator is for development and tests only: refused because MINGLE_MODE=production")
        }
        var logger = Logger(label: "mingle.paypal-sim")
        logger.logLevel = .info
        let publicBase = publicURL ?? "http://127.0.0.1:\(port)"
        let webhookLogger = logger
        let http = CurlHTTPClient()
        let app = buildPayPalSimulator(host: host, port: port, publicBaseURL: publicBase, logger: logger) { url, headers, body in
            do {
                let reply = try await http.send(HTTPCall(method: "POST", url: url, headers: headers, body: body, timeoutSeconds: 10))
                webhookLogger.info("paypal-sim: webhook to \(url) answered \(reply.status)")
            } catch {
                webhookLogger.warning("paypal-sim: webhook to \(url) failed: \(error)")
            }
        }
        logger.notice("PayPal (simulated) at \(publicBase), development only; the webhook id for client id X is WH-SIM-X")
        try await app.runService()
    }
}
