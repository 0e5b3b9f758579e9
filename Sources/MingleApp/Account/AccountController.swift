import Foundation
import Hummingbird
import RealTime
import Store

/// A person's account on a community's site (`/account`): name, email address (changed only
/// once the link sent to the new address is followed), password (its own page,
/// `AuthController`), which emails this community sends them, receipts of their payments
/// here, leaving the community; and copying their profile from another community.
struct AccountController {
    let app: AppServices
    let sockets: SocketDirectory

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let account = router.group("/account", context: SignedInRequestContext.self)
        account.get("", use: overview)
        account.post("/name", use: saveName)
        account.post("/email", use: requestEmailChange)
        account.post("/email/cancel", use: cancelEmailChange)
        account.post("/notifications", use: saveNotifications)
        account.post("/availability", use: saveAvailability)
        account.get("/receipts/:id", use: receipt)
        account.get("/leave", use: leaveForm)
        account.post("/leave", use: leave)
        // The link in the email: whoever opens it (signed in or not) proves the new address.
        router.get("/account/email/confirm", use: confirmPage)
        router.post("/account/email/confirm", use: confirm)
        router.group(context: MemberRequestContext.self).post("/profile/copy", use: copyProfile)
    }


    private func tenant(_ context: SignedInRequestContext) throws -> Tenant {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        return tenant
    }

    // MARK: the page

    @Sendable func overview(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        // On the platform's own host there is no community: the password is all there is.
        guard context.site.tenant != nil else { return app.redirect(to: "/account/password") }
        return try await page(context)
    }

    /// The account page, with what a refused form had typed and its problems beside the fields.
    private func page(_ context: SignedInRequestContext, typed: AccountModel.Typed = .init(),
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let tenant = try tenant(context), visitor = context.visitor
        let model = try await app.database.withTenant(tenant.id, user: visitor.userID) { tx in
            guard let user = try await tx.user(visitor.userID) else { throw HTTPError(.notFound) }
            return AccountModel(user: user, emailConfirmed: try await tx.emailConfirmed(user: user.id),
                                pending: try await tx.pendingEmailChange(user: user.id), membership: visitor.role,
                                preferences: try await tx.emailPreferences(user: user.id), availability: try await tx.availability(user: user.id),
                                payments: try await tx.payments(user: user.id),
                                zone: context.viewerZone, typed: typed)
        }
        return try app.views.page("account", context, title: "Your account", model: model, status: status)
    }

    // MARK: name

    @Sendable func saveName(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        let form = NameForm(context.form)
        guard form.isValid else { return try await page(context, typed: .init(name: form), status: .unprocessableContent) }
        try await app.database.withTenant(tenant.id, user: me) { try await $0.setName(user: me, firstName: form.firstName, lastName: form.lastName) }
        return app.redirect(to: "/account", flash: "Your name is saved: people see you as \(form.firstName) \(form.lastName).")
    }

    // MARK: email address

    @Sendable func requestEmailChange(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        let wanted = context.form.text("email")
        let problem = try await app.database.withTenant(tenant.id, user: me) { tx -> String? in
            guard let user = try await tx.user(me) else { throw HTTPError(.notFound) }
            var inUse = false
            if Validation.isEmail(wanted) && wanted.lowercased() != user.email.lowercased() {
                // Counted before the look-up: whether an address has an account is not to be probed in bulk.
                guard try await tx.recordAttempt(keys: ["email-change:\(me)"], within: .seconds(3600))[0] <= EmailChangeRules.requestsPerHour else {
                    return "You asked for several changes this hour. Check that inbox (and its spam folder), or try again in an hour."
                }
                inUse = try await tx.emailInUse(wanted)
            }
            if let problem = EmailChangeRules.problem(wanted, current: user.email, inUse: inUse) { return problem }
            let token = Tokens.random()
            try await tx.storeEmailChange(tokenHash: Tokens.hash(token), user: me, newEmail: wanted, lifetime: EmailChangeRules.lifetime)
            let link = "\(app.config.baseURL(tenantSlug: tenant.slug))/account/email/confirm?token=\(token)"
            try await tx.enqueue(app.mailer.compose("email_change", to: wanted, subject: "Confirm your new email address", site: .tenant(tenant),
                                                    values: ["name": user.firstName.isEmpty ? user.username : user.firstName,
                                                             "email": wanted, "link": link]), tenant: tenant.id)
            return nil
        }
        if let problem {
            return try await page(context, typed: .init(newEmail: wanted, newEmailProblem: problem), status: .unprocessableContent)
        }
        return app.redirect(to: "/account#email",
                            flash: "We emailed a link to \(wanted). Your address changes when you open it (within 48 hours).")
    }

    @Sendable func cancelEmailChange(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        let cancelled = try await app.database.withTenant(tenant.id, user: me) { try await $0.cancelEmailChanges(user: me) }
        return app.redirect(to: "/account#email", flash: cancelled ? "The change of address is cancelled: its link no longer works."
                                                                 : "There was no change of address waiting.")
    }

    @Sendable func confirmPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.queryValue("token") ?? ""
        guard context.site.tenant != nil else { throw HTTPError(.notFound) }
        guard Tokens.looksValid(token) else { return try expiredLink(context) }
        return try app.views.page("confirm_email_change", context, title: "Confirm your new email address",
                                  model: ConfirmEmailChangeModel(token: token))
    }

    /// A POST (the page's button), so that mail scanners opening the link do not use it up.
    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        let token = context.form["token"] ?? ""
        guard Tokens.looksValid(token) else { return try expiredLink(context) }
        let outcome = try await app.database.withTenant(tenant.id) { tx -> EmailChangeOutcome in
            let outcome = try await tx.consumeEmailChange(tokenHash: Tokens.hash(token))
            if case .changed(_, let from, let to) = outcome, !from.isEmpty {
                // The old address hears of it, in case the change was not theirs.
                let notice = app.mailer.compose("email_changed", to: from, subject: "Your email address was changed", site: .tenant(tenant),
                                                values: ["old": from, "new": to,
                                                         "link": "\(app.config.baseURL(tenantSlug: tenant.slug))/forgot-password"])
                try await tx.enqueue(notice, tenant: tenant.id)
            }
            return outcome
        }
        switch outcome {
        case .invalid:
            return try expiredLink(context)
        case .taken(let user, let address):
            return try app.views.page("error", context, title: "Address already in use",
                                      model: ErrorWithActionModel(heading: "That address is already in use",
                                                                  message: "Another account started using \(address) after you asked for the change, so your address stays as it was.",
                                                                  actionURL: context.visitor?.userID == user ? "/account#email" : "/sign-in",
                                                                  actionLabel: "Choose another address", homeURL: "/"),
                                      status: .conflict)
        case .changed(let user, _, let to):
            return app.redirect(to: context.visitor?.userID == user ? "/account#email" : "/sign-in",
                                flash: "Your email address is now \(to).")
        }
    }

    private func expiredLink(_ context: some PageContext) throws -> Response {
        try app.views.page("error", context, title: "Link expired",
                           model: ErrorWithActionModel.linkExpired(
                               "Links to confirm a new address work once, for 48 hours, and only the latest one asked for. Ask again from your account.",
                               actionURL: "/account#email", actionLabel: "Go to my account"),
                           status: .gone)
    }

    // MARK: notifications

    @Sendable func saveNotifications(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        guard context.visitor.role != nil else {
            throw HTTPError(.forbidden, message: "Only members of \(tenant.name) choose which of its emails they get.")
        }
        let preferences = EmailPreferences(off: Set(EmailKind.allCases.filter { context.form["email_\($0.rawValue)"] != "on" }))
        try await app.database.withTenant(tenant.id, user: me) { try await $0.setEmailPreferences(user: me, preferences) }
        let on = AccountModel.kinds.filter { preferences.wants($0.0) }.map { $0.1.lowercased() }
        return app.redirect(to: "/account#notifications", flash: on.isEmpty
            ? "Saved: \(tenant.name) sends you no emails about messages, connections or sessions."
            : "Saved: \(tenant.name) emails you about \(Self.sentence(on)).")
    }

    // MARK: availability (issue 16)

    /// Appear offline and do not disturb, in this community; open pages show the change at once.
    @Sendable func saveAvailability(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        guard context.visitor.role != nil else {
            throw HTTPError(.forbidden, message: "Only members of \(tenant.name) are shown online there.")
        }
        let availability = Availability(appearOffline: context.form["appear_offline"] == "on",
                                        doNotDisturb: context.form["do_not_disturb"] == "on")
        try await app.database.withTenant(tenant.id, user: me) { try await $0.setAvailability(user: me, availability) }
        await sockets.setHidden(me, in: tenant.id, availability.appearOffline)
        let shown = availability.appearOffline ? "You appear offline to everyone here" : "People here see when you are online"
        let calls = availability.doNotDisturb ? "calls do not ring: callers hear you are not taking calls, and you find a missed call" : "calls ring on your open pages"
        return app.redirect(to: "/account#availability", flash: "Saved: \(shown), and \(calls).")
    }

    /// "a", "a and b", "a, b and c".
    static func sentence(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " and " + last
    }

    // MARK: receipts

    @Sendable func receipt(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        let id = try context.parameters.rowID(notFound: "There is no such receipt in your account.")
        let found = try await app.database.withTenant(tenant.id, user: me) { tx -> (Payment, UserRecord)? in
            guard let payment = try await tx.payment(id, user: me), payment.status == .completed,
                  let user = try await tx.user(me) else { return nil }
            return (payment, user)
        }
        guard let (payment, user) = found else { throw HTTPError(.notFound, message: "There is no such receipt in your account.") }
        return try app.views.page("receipt", context, title: "Receipt",
                                  model: ReceiptModel(payment: payment, community: tenant.name, payer: user, zone: context.viewerZone))
    }

    // MARK: leaving

    @Sendable func leaveForm(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context)
        guard let role = context.visitor.role else { return app.redirect(to: "/account") }
        return try app.views.page("leave", context, title: "Leave \(tenant.name)",
                                  model: LeaveModel(isOrganizer: role == .organizer, community: tenant.name))
    }

    @Sendable func leave(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let tenant = try tenant(context), me = context.visitor.userID
        guard let role = context.visitor.role else { return app.redirect(to: "/account") }
        guard role == .member else {
            throw HTTPError(.conflict, message: "Organizers cannot leave their own community here. Ask the platform's administrators to hand it over first.")
        }
        _ = try await app.database.withTenant(tenant.id, user: me) { try await $0.leaveMembership(user: me) }
        return app.redirect(to: "/", flash: "You have left \(tenant.name). You can join again whenever you like.")
    }

    // MARK: copying a profile

    /// Copies the visitor's answers (into matching sections still empty here) and picture (if
    /// they have none here) from another community they are an active member of. That
    /// community's rows are read in its own transaction (`withTenant(other)`), and only after
    /// it confirms the membership there.
    @Sendable func copyProfile(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let here = context.tenant, me = context.visitor.userID
        guard context.visitor.role != nil else {
            throw HTTPError(.forbidden, message: "Platform administrators have no profile on a tenant's site.")
        }
        let slug = context.form.text("from")
        let communities = try await app.database.withTenant(here.id, user: me) { try await $0.accountCommunities() }
        guard let source = communities.first(where: { $0.slug == slug && $0.id != here.id }) else {
            throw HTTPError(.notFound, message: "You are not a member of that community, so there is no profile to copy from it.")
        }
        let (sections, answers, picture) = try await app.database.withTenant(source.id, user: me) { tx -> ([ProfileSection], [UUID: String], StoredImage?) in
            guard try await tx.membership(user: me)?.status == .active else {
                throw HTTPError(.notFound, message: "You are not a member of that community, so there is no profile to copy from it.")
            }
            var picture: StoredImage?
            if let id = try await tx.profilePicture(user: me) { picture = try await tx.image(id) }
            return (try await tx.profileSections(), try await tx.profileAnswers(user: me), picture)
        }
        let (plan, pictureOutcome) = try await app.database.withTenant(here.id, user: me) { tx -> (ProfileCopyPlan, ProfileCopiedModel.Picture) in
            let target = try await tx.profileSections(locked: true)
            let plan = ProfileCopyPlan(source: sections, answers: answers, target: target, existing: try await tx.profileAnswers(user: me))
            try await tx.saveProfileAnswers(tenant: here.id, user: me, plan.answers)
            guard let picture else { return (plan, .none) }
            guard try await tx.profilePicture(user: me) == nil else { return (plan, .keptOwn) }
            // Images belong to one community: the bytes are copied into this one's.
            let image = try await tx.insertImage(tenant: here.id, sha256: picture.sha256, mime: picture.mime, width: picture.width,
                                                 height: picture.height, bytes: picture.bytes, purpose: .profile)
            try await tx.setProfilePicture(tenant: here.id, user: me, image: image)
            return (plan, .copied)
        }
        return try app.views.page("profile_copied", context, title: "Profile copied",
                                  model: ProfileCopiedModel(source: source.name, plan: plan, picture: pictureOutcome))
    }
}
