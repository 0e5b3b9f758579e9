import Foundation
import HTTPTypes
import Hummingbird
import Outbound
import PayPalSimulator
import Store
import Testing
import TestSupport
@testable import MingleApp

/// Paying the membership fee through PayPal (the simulator, over real HTTP with the real client).
@Suite struct PaymentTests {
    /// acme charges 12.50 EUR through the simulator; `payer` is a confirmed member waiting to pay.
    func setUp(_ db: TestDatabase, secret: String = "acme-secret") async throws -> (tenant: TenantID, payer: UserID) {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme")
        let payer = try await fixtures.user("payer")
        try await fixtures.membership(acme.tenant, payer, status: .awaitingPayment)
        let sealed = try SecretBox(platformSecret: TestApp.configuration(db).secretKey, purpose: "paypal").seal(secret)
        try await fixtures.inTenant(acme.tenant) { c in
            try await c.query("""
                INSERT INTO membership_settings (tenant_id, fee_minor, currency, paypal_client_id, paypal_secret_sealed, paypal_webhook_id)
                VALUES (\(acme.tenant), 1250, 'EUR', 'acme-client', \(ByteBuffer(bytes: sealed)), \(SimulatorState.webhookID(forClientID: "acme-client")))
                """, logger: TestEnvironment.logger)
        }
        return (acme.tenant, payer)
    }

    func state(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> (membership: String?, payments: [String]) {
        try await Fixtures(db).inTenant(tenant) { c in
            (try await c.query("SELECT status FROM memberships WHERE user_id = \(user)", logger: TestEnvironment.logger).first(String.self),
             try await c.query("SELECT status FROM payments WHERE user_id = \(user) ORDER BY created_at", logger: TestEnvironment.logger).all(String.self))
        }
    }

    /// Signs the payer in and presses "Pay": returns PayPal's approval page address.
    func startPaying(_ web: inout WebClient) async throws -> String {
        try await TestApp.signIn(&web, "payer", tenant: "acme")
        let pay = try await web.post(TestApp.url("acme", "/membership/pay"), [], formURL: TestApp.url("acme", "/membership"))
        #expect(pay.status == .seeOther)
        return try #require(pay.location)
    }

    @Test func payingActivatesTheMembershipOnceAndAReplayedReturnChangesNothing() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                // setup
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                // act
                let back = try #require(try await sim.press(.pay, approveURL: approve))
                let first = try await web.get(back)
                let afterFirst = try await state(db, tenant, payer)
                let home = try await web.get(TestApp.url("acme", "/"))
                let replay = try await web.get(back)
                let page = try await web.get(TestApp.url("acme", "/membership"))
                // check: the new member lands on their home, welcomed; the replay is told on the membership page
                #expect(first.location == "/" && replay.location == "/membership")
                #expect(home.contains("Your payment is confirmed and your membership is active. Here is what is next for you."))
                #expect(home.contains(#"id="next-heading""#))
                #expect(approve.hasPrefix(sim.baseURL + "/checkoutnow?token="))
                #expect(back.hasPrefix("http://acme.\(TestApp.rootHost)/membership/paypal/return?token="))
                #expect(first.status == .seeOther && replay.status == .seeOther)
                #expect(afterFirst.membership == "active" && afterFirst.payments == ["completed"])
                #expect(try await state(db, tenant, payer).payments == ["completed"])
                #expect(page.contains("12.50 EUR") && page.contains("completed"))
                let capture = try await Fixtures(db).inTenant(tenant) { c in
                    try await c.query("SELECT paypal_capture_id FROM payments", logger: TestEnvironment.logger).first(String?.self)
                }
                #expect((capture ?? nil)?.isEmpty == false)
            }
        }
    }

    @Test func cancellingOnPayPalChargesNothingAndLeavesTheMembershipWaiting() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                let back = try #require(try await sim.press(.cancel, approveURL: approve))
                let page = try await web.get(back)
                #expect(back.contains("/membership/paypal/cancel?token="))
                #expect(page.status == .seeOther)
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "awaiting_payment" && after.payments == ["cancelled"])
            }
        }
    }

    @Test func aDeclinedCardLeavesTheMembershipWaiting() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                let back = try #require(try await sim.press(.decline, approveURL: approve))
                _ = try await web.get(back)
                let page = try await web.get(TestApp.url("acme", "/membership"))
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "awaiting_payment" && after.payments == ["declined"])
                #expect(page.contains("PayPal declined the payment"))
            }
        }
    }

    @Test func aReturnWithoutApprovalActivatesNothing() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                // setup: the payer types the return address by hand, without paying
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                let orderID = try #require(URLComponents(string: approve)?.queryItems?.first { $0.name == "token" }?.value)
                // act
                _ = try await web.get(TestApp.url("acme", "/membership/paypal/return?token=\(orderID)&PayerID=FAKE"))
                // check
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "awaiting_payment" && after.payments == ["created"])
            }
        }
    }

    @Test func aSignedWebhookCompletesAPaymentWhoseBuyerNeverCameBack() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                // setup
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                // act: approved on PayPal, browser closed; PayPal's webhook arrives
                _ = try await sim.press(.payWithoutReturn, approveURL: approve)
                let delivery = try #require(try await sim.webhooks.waitFor(1).first)
                var hook = WebClient(web.client)
                let response = try await deliver(delivery, &hook)
                let again = try await deliver(delivery, &hook)
                // check
                #expect(delivery.url == "http://acme.\(TestApp.rootHost)/webhooks/paypal")
                #expect(response.status == .ok && again.status == .ok)
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "active" && after.payments == ["completed"])
            }
        }
    }

    @Test func aForgedOrTamperedWebhookIsRefused() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                // setup: a genuine webhook for another order exists
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                _ = try await sim.press(.payWithoutReturn, approveURL: approve)
                let genuine = try #require(try await sim.webhooks.waitFor(1).first)
                var hook = WebClient(web.client)
                // act
                var forged = genuine
                forged.headers = genuine.headers.map { $0.0.uppercased() == "PAYPAL-TRANSMISSION-SIG" ? ($0.0, "Zm9yZ2Vk") : $0 }
                let badSignature = try await deliver(forged, &hook)
                var tampered = genuine
                tampered.body = Array(String(decoding: genuine.body, as: UTF8.self).replacingOccurrences(of: "APPROVED", with: "APPROVEd").utf8)
                let badBody = try await deliver(tampered, &hook)
                // check
                #expect(badSignature.status == .badRequest && badBody.status == .badRequest)
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "awaiting_payment" && after.payments == ["created"])
            }
        }
    }

    @Test func brokenPayPalSettingsStopThePaymentWithAClearMessage() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                let (tenant, payer) = try await setUp(db, secret: "wrong-secret")
                try await TestApp.signIn(&web, "payer", tenant: "acme")
                let pay = try await web.post(TestApp.url("acme", "/membership/pay"), [], formURL: TestApp.url("acme", "/membership"))
                #expect(pay.status == .badGateway && pay.contains("PayPal settings are not working"))
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "awaiting_payment" && after.payments == ["failed"])
            }
        }
    }

    @Test func aSecondOrderApprovedAfterPayingIsNeverCaptured() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                // setup: two tabs start paying; the first completes
                let (tenant, payer) = try await setUp(db)
                let first = try await startPaying(&web)
                let second = try #require(try await web.post(TestApp.url("acme", "/membership/pay"), [],
                                                             formURL: TestApp.url("acme", "/membership")).location)
                _ = try await web.get(try #require(try await sim.press(.pay, approveURL: first)))
                // act: the second order is approved too and its return arrives
                let back = try #require(try await sim.press(.pay, approveURL: second))
                _ = try await web.get(back)
                let page = try await web.get(TestApp.url("acme", "/membership"))
                // check: one completed payment, the other not taken
                let after = try await state(db, tenant, payer)
                #expect(after.membership == "active" && after.payments == ["completed", "cancelled"])
                #expect(page.contains("second payment was not taken"))
            }
        }
    }

    @Test func onlyThePayerCanMarkTheirPaymentCancelled() async throws {
        try await PayPalSim.run { sim in
            try await TestApp.run(payPal: sim.baseURL) { db, web in
                let (tenant, payer) = try await setUp(db)
                let approve = try await startPaying(&web)
                let orderID = try #require(URLComponents(string: approve)?.queryItems?.first { $0.name == "token" }?.value)
                var stranger = WebClient(web.client)
                _ = try await stranger.get(TestApp.url("acme", "/membership/paypal/cancel?token=\(orderID)"))
                #expect(try await state(db, tenant, payer).payments == ["created"])
                _ = try await web.get(TestApp.url("acme", "/membership/paypal/cancel?token=\(orderID)"))
                #expect(try await state(db, tenant, payer).payments == ["cancelled"])
            }
        }
    }

    @Test func theSimulatorIsRefusedInProductionMode() async throws {
        try await withTestDatabase { db in
            var config = TestApp.configuration(db, payPal: "http://127.0.0.1:8089")
            config.mode = .production
            #expect(throws: (any Error).self) { try config.validate() }
            config.payPalAPIURL = "http://paypal-sim.internal:8089"
            #expect(throws: (any Error).self) { try config.validate() }
            config.payPalAPIURL = "https://api-m.paypal.com"
            #expect(throws: Never.self) { try config.validate() }
        }
    }

    /// Delivers a recorded webhook to the app as PayPal would: same headers, same bytes.
    func deliver(_ delivery: RecordedWebhooks.Delivery, _ web: inout WebClient) async throws -> Page {
        var headers = HTTPFields()
        for (name, value) in delivery.headers where name.lowercased() != "content-type" {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return try await web.send(.post, TestApp.url("acme", "/webhooks/paypal"), body: delivery.body,
                                  contentType: "application/json", headers: headers)
    }
}
