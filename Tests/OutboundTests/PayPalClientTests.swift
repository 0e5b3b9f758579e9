import Foundation
import Outbound
import PayPalSimulator
import Testing

@Suite("PayPal client against the simulator", .timeLimit(.minutes(1)))
struct PayPalClientTests {
    @Test("gets a token and creates an order with an approve link on the simulator")
    func createsOrderWithApproveLink() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()

            // act
            let order = try await sim.createOrder(client)

            // check
            #expect(order.status == "CREATED")
            #expect(order.id.count == 17 && order.id.allSatisfy { $0.isUppercase || $0.isNumber })
            #expect(order.approveURL == "\(sim.baseURL)/checkoutnow?token=\(order.id)")
            #expect(order.amountMinor == 1250)
            #expect(order.currency == "EUR")
            #expect(order.captureID == nil)
            #expect(!order.isPaid)
        }
    }

    @Test("the approval page is labelled as simulated and shows amount, currency and description")
    func approvalPageShowsOrder() async throws {
        try await withSimulator { sim in
            // setup
            let order = try await sim.createOrder(sim.client())
            let approveURL = try #require(order.approveURL)

            // act
            let page = try await sim.http.send(HTTPCall(url: approveURL))

            // check
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(html.contains("PayPal (simulated)"))
            #expect(html.contains("12.50 EUR"))
            #expect(html.contains("Acme membership"))
            for action in PayPalSimulatorAction.allCases {
                #expect(html.contains(#"action="\#(PayPalSimulatorAction.path(orderID: order.id, action: action))""#))
            }
        }
    }

    @Test("approve then capture completes the order with the amount in minor units",
          arguments: [(1250, "EUR"), (1500, "JPY")])
    func approveThenCapture(amountMinor: Int, currency: String) async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let order = try await sim.createOrder(client, amountMinor: amountMinor, currency: currency)
            let approval = try await sim.press(.pay, on: order.id)
            #expect(approval.status == 303)
            #expect(approval.headers["location"] == "\(RunningSimulator.returnURL)?token=\(order.id)&PayerID=SIMPAYER1")
            #expect(try await client.order(order.id).status == "APPROVED")

            // act
            let captured = try await client.captureOrder(order.id, requestID: UUID().uuidString)

            // check
            #expect(captured.status == "COMPLETED")
            #expect(captured.captureStatus == "COMPLETED")
            #expect(captured.captureID?.isEmpty == false)
            #expect(captured.amountMinor == amountMinor)
            #expect(captured.currency == currency)
            #expect(captured.isPaid)
            let lookedUp = try await client.order(order.id)
            #expect(lookedUp.isPaid && lookedUp.captureID == captured.captureID && lookedUp.amountMinor == amountMinor)
        }
    }

    @Test("a second capture is refused as already captured; repeating the request id replays the first")
    func captureTwice() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let order = try await sim.createOrder(client)
            _ = try await sim.press(.pay, on: order.id)
            let requestID = UUID().uuidString
            let first = try await client.captureOrder(order.id, requestID: requestID)

            // act
            let replay = try await client.captureOrder(order.id, requestID: requestID)
            let second = await #expect(throws: PayPalError.self) {
                try await client.captureOrder(order.id, requestID: UUID().uuidString)
            }

            // check
            #expect(replay == first)
            #expect(second == .alreadyCaptured)
            #expect(try await client.order(order.id).captureID == first.captureID)
        }
    }

    @Test("capturing before the payer approved is refused as not approved")
    func captureBeforeApproval() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let order = try await sim.createOrder(client)

            // act
            let error = await #expect(throws: PayPalError.self) {
                try await client.captureOrder(order.id, requestID: UUID().uuidString)
            }

            // check
            #expect(error == .notApproved)
            #expect(try await client.order(order.id).status == "CREATED")
        }
    }

    @Test("a declined card fails the capture as declined and nothing is captured")
    func declinedCard() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let order = try await sim.createOrder(client)
            let approval = try await sim.press(.decline, on: order.id)
            #expect(approval.status == 303)

            // act
            let error = await #expect(throws: PayPalError.self) {
                try await client.captureOrder(order.id, requestID: UUID().uuidString)
            }

            // check
            #expect(error == .declined)
            let after = try await client.order(order.id)
            #expect(after.captureID == nil && !after.isPaid)
        }
    }

    @Test("cancelling returns to the cancel URL and leaves the order unapproved")
    func cancelled() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let order = try await sim.createOrder(client)

            // act
            let reply = try await sim.press(.cancel, on: order.id)

            // check
            #expect(reply.status == 303)
            #expect(reply.headers["location"] == "\(RunningSimulator.cancelURL)?token=\(order.id)")
            #expect(try await client.order(order.id).status == "CREATED")
            await #expect(throws: PayPalError.notApproved) { try await client.captureOrder(order.id, requestID: UUID().uuidString) }
            #expect(await sim.webhooks.deliveries.isEmpty)
        }
    }

    @Test("the same request id creates one order; another request id creates another")
    func idempotentCreate() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()
            let requestID = UUID().uuidString
            func create(_ requestID: String) async throws -> PayPalOrder {
                try await client.createOrder(amountMinor: 1250, currency: "EUR", description: "Acme membership",
                                             returnURL: RunningSimulator.returnURL, cancelURL: RunningSimulator.cancelURL,
                                             requestID: requestID)
            }

            // act
            let first = try await create(requestID)
            let again = try await create(requestID)
            let other = try await create(UUID().uuidString)

            // check
            #expect(again.id == first.id)
            #expect(other.id != first.id)
        }
    }

    @Test("a wrong secret is an authentication error")
    func wrongSecret() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client("acme-client", secret: "wrong-secret")

            // act
            let error = await #expect(throws: PayPalError.self) { try await sim.createOrder(client) }

            // check
            #expect(error == .authentication)
        }
    }

    @Test("another PayPal app's token can neither see nor capture the order")
    func otherClientCannotSeeOrder() async throws {
        try await withSimulator { sim in
            // setup
            let acme = sim.client("acme-client")
            let globex = sim.client("globex-client", secret: "globex-secret")
            let order = try await sim.createOrder(acme)
            _ = try await sim.press(.pay, on: order.id)

            // act
            let lookUp = await #expect(throws: PayPalError.self) { try await globex.order(order.id) }
            let capture = await #expect(throws: PayPalError.self) { try await globex.captureOrder(order.id, requestID: UUID().uuidString) }

            // check
            #expect(lookUp == .notFound)
            #expect(capture == .notFound)
            #expect(try await acme.order(order.id).status == "APPROVED")
        }
    }

    @Test("an unknown or malformed order id is not found")
    func unknownOrder() async throws {
        try await withSimulator { sim in
            // setup
            let client = sim.client()

            // act
            let unknown = await #expect(throws: PayPalError.self) { try await client.order("AAAAAAAAAAAAAAAAA") }
            let malformed = await #expect(throws: PayPalError.self) { try await client.captureOrder("../../v1/oauth2/token", requestID: "x") }

            // check
            #expect(unknown == .notFound)
            #expect(malformed == .notFound)
        }
    }

    @Test("the simulator refuses amounts with more decimals than the currency has")
    func simulatorChecksDecimals() async throws {
        try await withSimulator { sim in
            // setup
            let token = try await sim.http.send(HTTPCall(
                method: "POST", url: sim.baseURL + "/v1/oauth2/token",
                headers: [("Authorization", "Basic " + Data("acme-client:acme-secret".utf8).base64EncodedString()),
                          ("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("grant_type=client_credentials".utf8)))
            let accessToken = try #require(
                (try JSONSerialization.jsonObject(with: Data(token.body)) as? [String: Any])?["access_token"] as? String)
            let body = #"{"intent":"CAPTURE","purchase_units":[{"amount":{"currency_code":"JPY","value":"1500.00"}}],"application_context":{"return_url":"http://a.example/r","cancel_url":"http://a.example/c"}}"#

            // act
            let reply = try await sim.http.send(HTTPCall(
                method: "POST", url: sim.baseURL + "/v2/checkout/orders",
                headers: [("Authorization", "Bearer \(accessToken)"), ("Content-Type", "application/json")],
                body: Array(body.utf8)))

            // check
            #expect(reply.status == 400)
            #expect(String(decoding: reply.body, as: UTF8.self).contains("DECIMAL_PRECISION"))
        }
    }
}
