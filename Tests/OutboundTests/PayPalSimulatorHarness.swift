import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Outbound
import PayPalSimulator
import Testing

/// Webhooks the simulator asked to deliver, kept instead of sent.
actor WebhookRecorder {
    struct Delivery: Sendable {
        var url: String
        var headers: [(String, String)]
        var body: [UInt8]

        /// Header value by case-insensitive name.
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// Headers as a web framework would hand them to the shop's webhook handler.
        var headerDictionary: [String: String] {
            Dictionary(headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })
        }
    }

    private(set) var deliveries: [Delivery] = []

    func record(url: String, headers: [(String, String)], body: [UInt8]) {
        deliveries.append(Delivery(url: url, headers: headers, body: body))
    }

    /// Waits up to `seconds` for at least `count` deliveries.
    func waitFor(_ count: Int, seconds: Double = 5) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while deliveries.count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return deliveries
    }
}

/// A simulator running on a real loopback port, and what tests need to talk to it.
struct RunningSimulator: Sendable {
    let baseURL: String
    let webhooks: WebhookRecorder
    let http = CurlHTTPClient()

    static let returnURL = "http://acme.mingle.localhost:8080/membership/paypal/return"
    static let cancelURL = "http://acme.mingle.localhost:8080/membership/paypal/cancel"

    func client(_ clientID: String = "acme-client", secret: String = "acme-secret") -> PayPalClient {
        PayPalClient(baseURL: baseURL, credentials: PayPalCredentials(clientID: clientID, secret: secret))
    }

    /// Creates an order as Mingle would, with a fresh request id.
    func createOrder(_ client: PayPalClient, amountMinor: Int = 1250, currency: String = "EUR") async throws -> PayPalOrder {
        try await client.createOrder(amountMinor: amountMinor, currency: currency, description: "Acme membership",
                                     returnURL: Self.returnURL, cancelURL: Self.cancelURL, requestID: UUID().uuidString)
    }

    /// Presses a button of the approval page, as the payer's browser does (a form POST).
    func press(_ action: PayPalSimulatorAction, on orderID: String) async throws -> HTTPReply {
        try await http.send(HTTPCall(method: "POST", url: baseURL + PayPalSimulatorAction.path(orderID: orderID, action: action),
                                     headers: [("Content-Type", "application/x-www-form-urlencoded")], timeoutSeconds: 10))
    }
}

/// Runs `body` against a simulator served for real on a loopback port chosen by the kernel.
func withSimulator(_ body: @Sendable (RunningSimulator) async throws -> Void) async throws {
    var logger = Logger(label: "paypal-sim-test")
    logger.logLevel = .warning
    let recorder = WebhookRecorder()
    let app = buildPayPalSimulator(port: 0, publicBaseURL: "", logger: logger) { url, headers, body in
        await recorder.record(url: url, headers: headers, body: body)
    }
    try await app.test(.live) { client in
        let port = try #require(client.port)
        // The test framework binds "localhost"; libcurl tries both of its addresses.
        try await body(RunningSimulator(baseURL: "http://localhost:\(port)", webhooks: recorder))
    }
}
