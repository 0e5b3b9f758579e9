import Foundation
import Hummingbird
import Store

/// The organizer portal's membership pages: fee and PayPal settings, and the members list.
struct OrganizerMembersController {
    let app: AppServices
    var secrets: SecretBox { SecretBox(platformSecret: app.config.secretKey, purpose: "paypal") }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let portal = router.group("/organize", context: OrganizerRequestContext.self)
        portal.get("/membership", use: settingsForm)
        portal.post("/membership", use: saveSettings)
        portal.get("/members", use: members)
        portal.get("/members/:username", use: member)
        portal.post("/members/:username/suspend", use: suspend)
        portal.post("/members/:username/reactivate", use: reactivate)
    }

    // MARK: settings

    @Sendable func settingsForm(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let tenant = context.tenant.id
        let (settings, membersMayHost) = try await app.asOrganizer(context, action: "view membership settings") {
            (try await $0.membershipSettings(), try await $0.membersMayHost(tenant: tenant))
        }
        return try app.views.page("organize/membership", context, title: "Membership",
                                  model: MembershipSettingsModel(SettingsForm(settings), problems: FormProblems(), membersMayHost: membersMayHost))
    }

    @Sendable func saveSettings(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        var form = SettingsForm(context.form)
        let problems = form.problems()
        guard problems.isEmpty, let fee = form.feeMinor else {
            let tenant = context.tenant.id
            let membersMayHost: Bool
            (form.hasSecret, membersMayHost) = try await app.asOrganizer(context, action: "view membership settings") {
                (try await $0.membershipSettings().payPalSecretSealed != nil, try await $0.membersMayHost(tenant: tenant))
            }
            return try app.views.page("organize/membership", context, title: "Membership",
                                      model: MembershipSettingsModel(form, problems: problems, membersMayHost: membersMayHost),
                                      status: .unprocessableContent)
        }
        let newSecret = try form.secret.isEmpty ? nil : secrets.seal(form.secret)
        let tenant = context.tenant.id
        try await app.asOrganizer(context, action: "save membership settings") { tx in
            var settings = try await tx.membershipSettings()
            settings.feeMinor = fee
            settings.currency = form.currency
            settings.payPalClientID = form.clientID
            settings.payPalWebhookID = form.webhookID
            settings.welcomeText = form.welcome
            if form.forgetSecret { settings.payPalSecretSealed = nil }
            if let newSecret { settings.payPalSecretSealed = newSecret }
            try await tx.saveMembershipSettings(tenant: tenant, settings)
        }
        return app.redirect(to: "/organize/membership", flash: fee == 0
            ? "Saved. Membership is free: people join as soon as they confirm their email address."
            : "Saved. Membership costs \(Money.format(fee, form.currency)).")
    }

    // MARK: members

    @Sendable func members(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let search = String((request.queryValue("q") ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        let statusFilter = request.queryValue("status").flatMap { MembershipStatus(rawValue: $0) }
        let all = try await app.asOrganizer(context, action: "list members") { try await $0.members() }
        return try app.views.page("organize/members", context, title: "Members",
                                  model: OrganizerMembersModel(all: all, search: search, status: statusFilter, zone: context.viewerZone))
    }

    private func target(_ context: OrganizerRequestContext, action: String) async throws -> (MemberRecord, [Payment]) {
        let username = try context.parameters.require("username")
        let found = try await app.asOrganizer(context, action: action) { tx -> (MemberRecord, [Payment])? in
            guard let member = try await tx.member(username: username) else { return nil }
            return (member, try await tx.payments(user: member.user.id))
        }
        guard let found else { try Self.noMember(username) }
        return found
    }

    private static func noMember(_ username: String) throws -> Never {
        throw HTTPError(.notFound, message: "There is no member \(username) here.")
    }

    @Sendable func member(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (member, payments) = try await target(context, action: "view member")
        let (sections, answers, picture) = try await app.asOrganizer(context, action: "view member profile") { tx in
            (try await tx.profileSections(), try await tx.profileAnswers(user: member.user.id),
             try await tx.profilePicture(user: member.user.id))
        }
        return try app.views.page("organize/member", context, title: member.user.displayName,
                                  model: OrganizerMemberModel(member: member, payments: payments, sections: sections,
                                                              answers: answers, picture: picture, zone: context.viewerZone))
    }

    @Sendable func suspend(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await change(context, to: .suspended, flash: "is suspended: they can no longer take part.")
    }

    @Sendable func reactivate(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await change(context, to: .active, flash: "is active again.")
    }

    private func change(_ context: OrganizerRequestContext, to status: MembershipStatus, flash: String) async throws -> Response {
        let username = try context.parameters.require("username")
        // Looked up in the transaction that changes it: a name of no member here (another
        // tenant's) is a 404 with nothing written.
        // Reactivating restores what the member had earned: active only if the fee is zero or
        // was paid; otherwise they are back to waiting for payment.
        let changed = try await app.asOrganizer(context, action: status == .active ? "reactivate member" : "suspend member") { tx -> (UserRecord, String)? in
            guard let member = try await tx.member(username: username) else { return nil }
            guard member.role == .member else {
                throw HTTPError(.conflict, message: "Organizers cannot be suspended from the members list.")
            }
            // Someone who left is no member to suspend or bring back: only they can join again.
            guard member.status != .left else { return (member.user, "has left this community; only they can join again.") }
            if status == .suspended {
                guard try await tx.setMembershipStatus(user: member.user.id, .suspended) else { return nil }
                return (member.user, flash)
            }
            guard member.status == .suspended else { return (member.user, "is not suspended.") }
            let free = try await tx.membershipSettings().isFree
            let paid = try await tx.hasCompletedPayment(user: member.user.id)
            let earned = free || paid
            if try await tx.changeMembershipStatus(user: member.user.id, from: .suspended, to: earned ? .active : .awaitingPayment), earned {
                try await app.announcer.inviteToUpcoming(tx, tenant: context.tenant, member: member.user.id)
            }
            return (member.user, earned ? flash : "is no longer suspended, and waits for their payment.")
        }
        guard let (user, result) = changed else { try Self.noMember(username) }
        return app.redirect(to: "/organize/members/\(user.username)", flash: "\(user.displayName) \(result)")
    }
}

/// The membership settings form. The PayPal secret is write-only: the page never shows it.
struct SettingsForm {
    var fee, currency, clientID, secret, webhookID, welcome: String
    var forgetSecret = false
    var hasSecret = false

    init(_ settings: MembershipSettings) {
        fee = Money.plain(settings.feeMinor, settings.currency)
        currency = settings.currency
        clientID = settings.payPalClientID
        secret = ""
        webhookID = settings.payPalWebhookID
        welcome = settings.welcomeText
        hasSecret = settings.payPalSecretSealed != nil
    }

    init(_ form: FormData) {
        fee = form.text("fee")
        currency = form.text("currency").uppercased()
        clientID = form.text("paypal_client_id")
        secret = form.text("paypal_secret")
        webhookID = form.text("paypal_webhook_id")
        welcome = form.text("welcome")
        forgetSecret = form["forget_secret"] == "on"
    }

    var feeMinor: Int? { Money.parse(fee.isEmpty ? "0" : fee, currency: currency) }

    /// Every problem at once, each at its field.
    func problems() -> FormProblems {
        var problems = FormProblems()
        if feeMinor == nil {
            problems.add("fee", Money.decimals(currency) == 0
                ? "Write the fee as a whole number, like 1500."
                : "Write the fee as a number with at most two decimals, like 25 or 12.50.")
        } else if feeMinor! > 100_000_000 { problems.add("fee", "The fee is too large: at most 1,000,000.") }
        if !Money.currencies.contains(currency) { problems.add("currency", "Choose a currency from the list.") }
        if clientID.unicodeScalars.count > 200 { problems.add("paypal_client_id", "The PayPal client id is at most 200 characters.") }
        if secret.unicodeScalars.count > 200 { problems.add("paypal_secret", "The PayPal secret is at most 200 characters.") }
        if webhookID.unicodeScalars.count > 100 { problems.add("paypal_webhook_id", "The PayPal webhook id is at most 100 characters.") }
        if welcome.unicodeScalars.count > 1000 {
            problems.add("welcome", "The welcome text is at most 1,000 characters; this one has \(welcome.unicodeScalars.count.formatted()).")
        }
        return problems
    }
}
