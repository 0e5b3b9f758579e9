import Foundation
import Outbound
import PayPalSimulator
import Testing

@Suite("PayPal webhooks from the simulator", .timeLimit(.minutes(1)))
struct PayPalWebhookTests {
    /// Approves an order without returning to the shop and waits for the resulting webhook.
    private func approvedWithoutReturn(_ sim: RunningSimulator, client: PayPalClient) async throws -> (PayPalOrder, WebhookRecorder.Delivery) {
        let order = try await sim.createOrder(client)
        let page = try await sim.press(.payWithoutReturn, on: order.id)
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self).contains("Payment approved. You can close this window."))
        #expect(page.headers["location"] == nil)
        let delivery = try #require(try await sim.webhooks.waitFor(1).first, "no webhook within 5 s")
        return (order, delivery)
    }

    @Test("approval sends a signed CHECKOUT.ORDER.APPROVED webhook to the return host, and the shop can capture")
    func webhookOnApproval() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()

            // act
            let (order, delivery) = try await approvedWithoutReturn(sim, client: client)

            // check
            #expect(delivery.url == "http://acme.mingle.localhost:8080/webhooks/paypal")
            #expect(delivery.header("Content-Type") == "application/json")
            #expect(UUID(uuidString: delivery.header("PAYPAL-TRANSMISSION-ID") ?? "") != nil)
            #expect(delivery.header("PAYPAL-TRANSMISSION-TIME").flatMap { try? Date($0, strategy: .iso8601) } != nil)
            #expect(Data(base64Encoded: delivery.header("PAYPAL-TRANSMISSION-SIG") ?? "")?.count == 32)
            #expect(delivery.header("PAYPAL-AUTH-ALGO") == "SHA256withRSA")
            #expect(delivery.header("PAYPAL-CERT-URL") == "\(sim.baseURL)/v1/notifications/certs/sim")
            let event = try #require(PayPalWebhookEvent.parse(delivery.body))
            #expect(event.eventType == "CHECKOUT.ORDER.APPROVED")
            #expect(event.orderID == order.id)
            #expect(event.resourceStatus == "APPROVED")
            #expect(event.id.hasPrefix("WH-"))
            let captured = try await client.captureOrder(order.id, requestID: "webhook-\(event.id)")
            #expect(captured.isPaid && captured.amountMinor == 1250)
        }
    }

    @Test("verifyWebhook accepts the genuine delivery")
    func genuineWebhookVerifies() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let (_, delivery) = try await approvedWithoutReturn(sim, client: client)

            // act
            let verified = try await client.verifyWebhook(headers: delivery.headerDictionary, body: delivery.body,
                                                          webhookID: SimulatorState.webhookID(forClientID: "acme-client"))

            // check
            #expect(verified)
        }
    }

    @Test("verifyWebhook rejects a forged signature")
    func forgedSignatureFails() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let (_, delivery) = try await approvedWithoutReturn(sim, client: client)
            var headers = delivery.headerDictionary
            headers["paypal-transmission-sig"] = Data(repeating: 7, count: 32).base64EncodedString()

            // act
            let verified = try await client.verifyWebhook(headers: headers, body: delivery.body, webhookID: "WH-SIM-acme-client")

            // check
            #expect(!verified)
        }
    }

    @Test("verifyWebhook rejects a tampered body")
    func tamperedBodyFails() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let (order, delivery) = try await approvedWithoutReturn(sim, client: client)
            let tampered = Array(String(decoding: delivery.body, as: UTF8.self)
                .replacingOccurrences(of: order.id, with: "AAAAAAAAAAAAAAAAA").utf8)
            #expect(tampered != delivery.body)

            // act
            let verified = try await client.verifyWebhook(headers: delivery.headerDictionary, body: tampered, webhookID: "WH-SIM-acme-client")

            // check
            #expect(!verified)
        }
    }

    @Test("verifyWebhook rejects a wrong webhook id, and another app's credentials")
    func wrongWebhookIDFails() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let other = sim.client("globex-client", secret: "globex-secret")
            let (_, delivery) = try await approvedWithoutReturn(sim, client: client)

            // act
            let wrongID = try await client.verifyWebhook(headers: delivery.headerDictionary, body: delivery.body, webhookID: "WH-SIM-globex-client")
            let otherApp = try await other.verifyWebhook(headers: delivery.headerDictionary, body: delivery.body, webhookID: "WH-SIM-acme-client")

            // check
            #expect(!wrongID)
            #expect(!otherApp)
        }
    }

    @Test("verifyWebhook says false without asking when headers are missing or the body is not JSON")
    func incompleteDeliveryFails() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let (_, delivery) = try await approvedWithoutReturn(sim, client: client)
            var missing = delivery.headerDictionary
            missing["paypal-transmission-sig"] = nil

            // act
            let withoutSignature = try await client.verifyWebhook(headers: missing, body: delivery.body, webhookID: "WH-SIM-acme-client")
            let notJSON = try await client.verifyWebhook(headers: delivery.headerDictionary, body: Array("}{".utf8), webhookID: "WH-SIM-acme-client")

            // check
            #expect(!withoutSignature)
            #expect(!notJSON)
        }
    }

    @Test("a return after a webhook-driven capture finds the order paid and cannot capture again")
    func replayedReturnAfterWebhook() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let (order, delivery) = try await approvedWithoutReturn(sim, client: client)
            let event = try #require(PayPalWebhookEvent.parse(delivery.body))
            let byWebhook = try await client.captureOrder(order.id, requestID: "capture-\(order.id)")

            // act: the browser comes back late (or the return URL is replayed) and Mingle captures again
            let byReturn = try await client.captureOrder(order.id, requestID: "capture-\(order.id)")
            let freshAttempt = await #expect(throws: PayPalError.self) {
                try await client.captureOrder(order.id, requestID: UUID().uuidString)
            }

            // check
            #expect(event.orderID == order.id)
            #expect(byReturn.captureID == byWebhook.captureID)
            #expect(freshAttempt == .alreadyCaptured)
        }
    }
}
