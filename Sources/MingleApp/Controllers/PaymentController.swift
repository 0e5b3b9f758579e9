import Foundation
import Hummingbird
import NIOCore
import Outbound
import Store

/// Paying a membership fee with the tenant's own PayPal account (Orders v2). A membership is
/// activated only when PayPal itself reports a completed capture of the right amount; the
/// browser's return and PayPal's webhook both end in `complete`, which locks the payment row,
/// so neither a replayed return nor a late webhook can charge or activate twice.
struct PaymentController {
    let app: AppServices
    var secrets: SecretBox { SecretBox(platformSecret: app.config.secretKey, purpose: "paypal") }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.group(context: SignedInRequestContext.self).post("/membership/pay", use: pay)
        // PayPal sends the payer back with GETs; both are safe to repeat.
        router.get("/membership/paypal/return", use: returned)
        router.get("/membership/paypal/cancel", use: cancelled)
        router.post("/webhooks/paypal", use: webhook)
    }

    enum Outcome: Equatable, Sendable {
        case completed(newly: Bool), declined, notApproved, mismatch, unknownOrder, inProgress, pending, alreadyPaid
    }

    func client(_ settings: MembershipSettings) throws -> PayPalClient? {
        guard !settings.payPalClientID.isEmpty, let sealed = settings.payPalSecretSealed else { return nil }
        guard let secret = try? secrets.open(sealed) else {
            // Sealed under another platform key (the key was changed): it must be entered again.
            throw HTTPError(.badGateway, message: "The organizer's PayPal secret must be entered again before payments can work. Nothing was charged.")
        }
        return PayPalClient(baseURL: app.config.payPalAPIURL, credentials: PayPalCredentials(clientID: settings.payPalClientID, secret: secret))
    }

    // MARK: paying

    @Sendable func pay(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        let visitor = context.visitor
        guard visitor.membershipStatus == .awaitingPayment else { return app.redirect(to: "/membership") }
        guard visitor.emailConfirmed else {
            return app.redirect(to: "/membership", flash: "Confirm your email address first; then you can pay.")
        }
        let settings = try await app.database.withTenant(tenant.id) { try await $0.membershipSettings() }
        guard !settings.isFree, let client = try client(settings) else {
            return app.redirect(to: "/membership", flash: "The organizer has not finished setting up payments yet.")
        }
        let payment = try await app.database.withTenant(tenant.id, user: visitor.userID) {
            try await $0.insertPayment(tenant: tenant.id, user: visitor.userID, amountMinor: settings.feeMinor, currency: settings.currency)
        }
        let base = app.config.baseURL(tenantSlug: tenant.slug)
        do {
            let order = try await client.createOrder(amountMinor: settings.feeMinor, currency: settings.currency,
                                                     description: "Membership of \(tenant.name)",
                                                     returnURL: "\(base)/membership/paypal/return",
                                                     cancelURL: "\(base)/membership/paypal/cancel",
                                                     requestID: payment.uuidString.lowercased())
            guard let approve = order.approveURL else { throw PayPalError.unexpected(status: 0, message: "no approval link") }
            try await app.database.withTenant(tenant.id) { try await $0.attachOrder(payment: payment, orderID: order.id) }
            return Response.redirect(to: approve, type: .normal)
        } catch let error as PayPalError {
            context.logger.warning("PayPal order for \(tenant.slug) failed: \(error)")
            try await app.database.withTenant(tenant.id) {
                try await $0.setPaymentStatus(payment, .failed, detail: "PayPal refused the order: \(error)")
            }
            let message = error == .authentication
                ? "The organizer's PayPal settings are not working, so payments cannot start. Please tell the organizer."
                : "PayPal did not answer as expected. Nothing was charged. Please try again in a moment."
            throw HTTPError(.badGateway, message: message)
        }
    }

    // MARK: coming back

    @Sendable func returned(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant, let orderID = Self.orderID(request) else { throw HTTPError(.notFound) }
        let outcome: Outcome
        do {
            outcome = try await complete(orderID: orderID, tenant: tenant)
        } catch let error as PayPalError {
            context.logger.warning("capture of \(orderID) at \(tenant.slug) failed: \(error)")
            return app.redirect(to: "/membership", flash: "We could not confirm the payment with PayPal just now. If you paid, it will be confirmed shortly; nothing is charged twice.")
        }
        let flash: String = switch outcome {
        case .completed(newly: true): "Thank you! Your payment is confirmed and your membership is active."
        case .completed(newly: false): "This payment was already confirmed. Your membership is active."
        case .declined: "PayPal declined the payment. Nothing was charged; you can try again with another card or account."
        case .notApproved: "The payment was not approved on PayPal, so nothing was charged. You can try again."
        case .mismatch: "PayPal reported a different payment than expected, so it was not accepted. The organizer has been shown the details."
        case .unknownOrder: "We do not know that payment. If you were charged, please tell the organizer."
        case .inProgress: "We are confirming this payment with PayPal. Reload this page in a moment."
        case .pending: "PayPal is still clearing your payment. Your membership starts as soon as it has."
        case .alreadyPaid: "Your membership was already paid, so this second payment was not taken."
        }
        // A new member lands on their home, which shows what is next; anything else is told on
        // the membership page, where the next step is.
        if case .completed(newly: true) = outcome {
            return app.redirect(to: "/", flash: "Welcome to \(tenant.branding.titleText)! Your payment is confirmed and your membership is active. Here is what is next for you.")
        }
        return app.redirect(to: "/membership", flash: flash)
    }

    @Sendable func cancelled(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant, let orderID = Self.orderID(request) else { throw HTTPError(.notFound) }
        // Only the payer's own session marks it cancelled; for anyone else this changes nothing.
        let visitor = context.visitor?.userID
        try await app.database.withTenant(tenant.id) { tx in
            if let payment = try await tx.paymentForUpdate(orderID: orderID), payment.status == .created, payment.userID == visitor {
                try await tx.setPaymentStatus(payment.id, .cancelled, detail: "cancelled on PayPal")
            }
        }
        return app.redirect(to: "/membership", flash: "You cancelled the payment on PayPal. Nothing was charged; you can pay whenever you are ready.")
    }

    /// PayPal's own record is the only evidence: capture (or, if captured already, read the
    /// order), check amount and currency, then complete the payment and activate the membership.
    /// Three steps, so no database transaction waits on PayPal: claim the payment row (short
    /// transaction), talk to PayPal, write the result (short transaction, re-checked).
    func complete(orderID: String, tenant: Tenant) async throws -> Outcome {
        enum Claim: Sendable { case go(Payment, MembershipSettings), done(Outcome) }
        let claim = try await app.database.withTenant(tenant.id) { tx -> Claim in
            guard let payment = try await tx.claimPaymentForCapture(orderID: orderID) else {
                guard let known = try await tx.paymentForUpdate(orderID: orderID) else { return .done(.unknownOrder) }
                switch known.status {
                case .completed: return .done(.completed(newly: false))
                case .declined: return .done(.declined)
                case .created: return .done(.inProgress)
                case .cancelled, .failed: return .done(.notApproved)
                }
            }
            // Never capture a second order once the membership is paid (two tabs, a late webhook).
            let membership = try await tx.membership(user: payment.userID)
            let paidBefore = try await tx.hasCompletedPayment(user: payment.userID)
            if membership?.status != .awaitingPayment || paidBefore {
                try await tx.setPaymentStatus(payment.id, .cancelled, detail: "not captured: the membership was already paid or is not waiting for payment")
                return .done(.alreadyPaid)
            }
            return .go(payment, try await tx.membershipSettings())
        }
        guard case .go(let payment, let settings) = claim else {
            if case .done(let outcome) = claim { return outcome }
            return .unknownOrder
        }
        let order: PayPalOrder
        do {
            guard let client = try client(settings) else { throw PayPalError.authentication }
            do {
                // A fresh request id per attempt: PayPal answers a reused id with its first reply.
                order = try await client.captureOrder(orderID, requestID: "capture-\(orderID)-\(UUID().uuidString.prefix(8))")
            } catch PayPalError.alreadyCaptured {
                order = try await client.order(orderID)
            }
        } catch PayPalError.declined {
            try await app.database.withTenant(tenant.id) { try await $0.setPaymentStatus(payment.id, .declined, detail: "PayPal declined the payment") }
            return .declined
        } catch PayPalError.notApproved {
            try await app.database.withTenant(tenant.id) { try await $0.releasePaymentClaim(payment.id) }
            return .notApproved
        } catch {
            try? await app.database.withTenant(tenant.id) { try await $0.releasePaymentClaim(payment.id) }
            throw error
        }
        return try await app.database.withTenant(tenant.id) { tx -> Outcome in
            guard let current = try await tx.paymentForUpdate(orderID: orderID), current.status == .created else {
                return .completed(newly: false)
            }
            if order.status == "COMPLETED" && order.captureStatus == "PENDING" {
                try await tx.setPaymentStatus(payment.id, .created, detail: "PayPal is still clearing the payment", captureID: order.captureID)
                return .pending
            }
            guard order.isPaid, order.amountMinor == payment.amountMinor, order.currency == payment.currency else {
                try await tx.setPaymentStatus(payment.id, .failed, detail: """
                    PayPal reported \(order.status), \(order.amountMinor.map { Money.format($0, order.currency ?? "?") } ?? "no amount")
                    """)
                return .mismatch
            }
            try await tx.setPaymentStatus(payment.id, .completed, captureID: order.captureID)
            if try await tx.changeMembershipStatus(user: payment.userID, from: .awaitingPayment, to: .active) {
                try await app.announcer.inviteToUpcoming(tx, tenant: tenant, member: payment.userID)
            }
            return .completed(newly: true)
        }
    }

    /// PayPal's order ids are short upper-case codes; anything else is not one.
    static func orderID(_ request: Request) -> String? {
        guard let token = request.queryValue("token"), (1...64).contains(token.count),
              token.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-") }) else { return nil }
        return token
    }

    // MARK: webhook

    /// Completes payments whose buyer never came back. The signature is verified with PayPal
    /// (with this tenant's credentials and webhook id) before the event is believed.
    @Sendable func webhook(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        var request = request
        let body: [UInt8]
        do {
            body = Array(try await request.collectBody(upTo: 256 * 1024).readableBytesView)
        } catch {
            throw HTTPError(.contentTooLarge, message: "A PayPal event is never this large.")
        }
        let settings = try await app.database.withTenant(tenant.id) { try await $0.membershipSettings() }
        guard !settings.payPalWebhookID.isEmpty, let client = try client(settings) else {
            throw HTTPError(.notFound, message: "This site takes no PayPal webhooks.")
        }
        let headers = Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first })
        let genuine: Bool
        do {
            genuine = try await client.verifyWebhook(headers: headers, body: body, webhookID: settings.payPalWebhookID)
        } catch {
            throw HTTPError(.serviceUnavailable, message: "Could not verify the webhook now; PayPal will retry.")
        }
        guard genuine, let event = PayPalWebhookEvent.parse(body) else {
            context.logger.warning("refused a PayPal webhook with a bad signature at \(tenant.slug)")
            throw HTTPError(.badRequest, message: "The webhook signature is not valid.")
        }
        if ["CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED"].contains(event.eventType), let orderID = event.orderID {
            _ = try await complete(orderID: orderID, tenant: tenant)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok")))
    }
}
