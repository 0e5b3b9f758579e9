import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Outbound
import PayPalSimulator
import Testing

/// Webhooks the simulator wanted to send, kept so a test can deliver them to the app.
actor RecordedWebhooks {
    struct Delivery: Sendable { var url: String; var headers: [(String, String)]; var body: [UInt8] }
    private(set) var all: [Delivery] = []
    func record(_ delivery: Delivery) { all.append(delivery) }

    func waitFor(_ count: Int) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + .seconds(5)
        while all.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return all
    }
}

/// The PayPal simulator served on a real loopback port for the duration of `body`.
struct PayPalSim: Sendable {
    let baseURL: String
    let webhooks: RecordedWebhooks
    let http = CurlHTTPClient()

    /// Presses a button of the approval page; returns where PayPal sends the browser next.
    func press(_ action: PayPalSimulatorAction, approveURL: String) async throws -> String? {
        let orderID = try #require(URLComponents(string: approveURL)?.queryItems?.first { $0.name == "token" }?.value)
        let reply = try await http.send(HTTPCall(method: "POST", url: baseURL + PayPalSimulatorAction.path(orderID: orderID, action: action),
                                                 headers: [("Content-Type", "application/x-www-form-urlencoded")], timeoutSeconds: 10))
        return reply.headers["location"]
    }

    static func run(_ body: @Sendable (PayPalSim) async throws -> Void) async throws {
        var logger = Logger(label: "paypal-sim")
        logger.logLevel = .warning
        let recorder = RecordedWebhooks()
        let app = buildPayPalSimulator(port: 0, publicBaseURL: "", logger: logger) { url, headers, body in
            await recorder.record(.init(url: url, headers: headers, body: body))
        }
        try await app.test(.live) { client in
            try await body(PayPalSim(baseURL: "http://localhost:\(try #require(client.port))", webhooks: recorder))
        }
    }
}
