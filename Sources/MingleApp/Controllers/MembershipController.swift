import Foundation
import Hummingbird
import Store

/// Joining a tenant: a new account registers, an existing one joins; the address is confirmed
/// by link; a free membership is then active, a paid one waits for its payment.
struct MembershipController {
    let app: AppServices
    let auth: AuthController
    static let confirmationLifetime = Duration.seconds(48 * 3600)

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("/join", use: joinPage)
        router.get("/register", use: registerForm)
        router.post("/register", use: register)
        router.get("/confirm-email", use: confirmPage)
        router.post("/confirm-email", use: confirm)
        let signedIn = router.group(context: SignedInRequestContext.self)
        signedIn.post("/join", use: join)
        signedIn.get("/membership", use: status)
        signedIn.post("/confirm-email/resend", use: resend)
    }

    // MARK: pages

    @Sendable func joinPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        if context.visitor?.role != nil { return app.redirect(to: "/membership") }
        let settings = try await app.database.withTenant(tenant.id) { try await $0.membershipSettings() }
        return try app.views.page("join", context, title: "Join", model: MembershipTermsModel(settings))
    }

    @Sendable func registerForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        if context.visitor != nil { return app.redirect(to: "/join") }
        let settings = try await app.database.withTenant(tenant.id) { try await $0.membershipSettings() }
        return try app.views.page("register", context, title: "Create your account",
                                  model: RegisterModel(terms: MembershipTermsModel(settings)))
    }

    // MARK: registering a new account

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        let form = RegistrationForm(context.form)
        let settings = try await app.database.withTenant(tenant.id) { try await $0.membershipSettings() }
        func again(_ problems: FormProblems, error: String? = nil, _ status: HTTPResponse.Status = .unprocessableContent) throws -> Response {
            try app.views.page("register", context, title: "Create your account",
                               model: RegisterModel(terms: MembershipTermsModel(settings), form: form, problems: problems, error: error),
                               status: status)
        }
        var problems = form.problems()
        if problems.isEmpty {
            let tries = try await app.database.withoutTenant {
                try await $0.recordAttempt(keys: ["register:\(context.clientAddress)"], within: .seconds(3600))
            }
            if tries[0] > 20 { return try again(problems, error: "Too many new accounts from this address. Try again in an hour.", .tooManyRequests) }
        }
        if problems["username"] == nil, try await app.database.withoutTenant({ try await $0.usernameTaken(form.username) }) {
            problems.add("username", RegistrationForm.takenMessage(form.username))
        }
        guard problems.isEmpty else { return try again(problems) }
        let hash = try await app.passwords.hash(form.password)
        let token = Tokens.random()
        let mail = confirmationMail(to: form.email, name: form.firstName, token: token, tenant: tenant)
        let user: UserID
        do {
            // One transaction: account, membership, confirmation link and its email, or none of them.
            user = try await app.database.withTenant(tenant.id) { tx in
                let user = try await tx.insertUser(username: form.username, email: form.email, firstName: form.firstName,
                                                   lastName: form.lastName, passwordHash: hash)
                try await tx.insertMembership(tenant: tenant.id, user: user, role: .member, status: .awaitingPayment)
                try await tx.storeEmailConfirmation(tokenHash: Tokens.hash(token), user: user, lifetime: Self.confirmationLifetime)
                try await tx.enqueue(mail, tenant: tenant.id)
                return user
            }
        } catch where isUniqueViolation(error) {
            var taken = FormProblems()   // taken between the check and the insert
            taken.add("username", RegistrationForm.takenMessage(form.username))
            return try again(taken)
        }
        var response = app.redirect(to: "/membership", flash: "Welcome, \(form.firstName)! We emailed a link to \(form.email): open it to confirm your address.")
        try await auth.startSession(user: user, site: context.site, replacing: context.visitor, request: request, response: &response)
        return response
    }

    private func confirmationMail(to email: String, name: String, token: String, tenant: Tenant) -> OutgoingMail {
        app.mailer.compose("confirm_email", to: email, subject: "Confirm your email address", site: .tenant(tenant),
                           values: ["name": name, "link": "\(app.config.baseURL(tenantSlug: tenant.slug))/confirm-email?token=\(token)"])
    }

    // MARK: an existing account joins

    @Sendable func join(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        guard context.visitor.role == nil else { return app.redirect(to: "/membership") }
        let visitor = context.visitor
        let flash: String
        do {
            flash = try await app.database.withTenant(tenant.id, user: visitor.userID) { tx -> String in
                // Someone who left joins again with the same membership; a fee they paid still counts.
                if try await tx.rejoinMembership(user: visitor.userID) {
                    if try await tx.hasCompletedPayment(user: visitor.userID),
                       try await tx.changeMembershipStatus(user: visitor.userID, from: .awaitingPayment, to: .active) {
                        try await app.announcer.inviteToUpcoming(tx, tenant: tenant, member: visitor.userID)
                        return "Welcome back to \(tenant.name)! Your membership is active again."
                    }
                } else {
                    try await tx.insertMembership(tenant: tenant.id, user: visitor.userID, role: .member, status: .awaitingPayment)
                }
                if try await Self.activateIfFree(tx, app: app, tenant: tenant, user: visitor.userID) { return "Welcome to \(tenant.name)! Your membership is active." }
                return try await tx.membershipSettings().isFree
                    ? "Almost there: confirm your email address to start." : "Almost there: pay the membership fee to start."
            }
        } catch where isUniqueViolation(error) {
            return app.redirect(to: "/membership")   // a second click of "Join"
        }
        return app.redirect(to: "/membership", flash: flash)
    }

    // MARK: confirming the address

    @Sendable func confirmPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.queryValue("token") ?? ""
        guard Tokens.looksValid(token) else { return try expiredLink(context) }
        return try app.views.page("confirm_email", context, title: "Confirm your email address", model: ConfirmEmailModel(token: token))
    }

    /// A POST (the page's button), so that mail scanners that open links do not use the token up.
    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.form["token"] ?? ""
        guard Tokens.looksValid(token) else { return try expiredLink(context) }
        // Confirming and activating a free membership happen in one transaction.
        let body: (Transaction) async throws -> (UserID, Bool)? = { tx in
            guard let user = try await tx.consumeEmailConfirmation(tokenHash: Tokens.hash(token)) else { return nil }
            guard let tenant = context.site.tenant else { return (user, false) }
            return (user, try await Self.activateIfFree(tx, app: app, tenant: tenant, user: user, confirmed: true))
        }
        let result: (UserID, Bool)?
        if let tenant = context.site.tenant {
            result = try await app.database.withTenant(tenant.id, body)
        } else {
            result = try await app.database.withoutTenant(body)
        }
        guard let (user, activated) = result else { return try expiredLink(context) }
        var flash = "Your email address is confirmed."
        if activated, let tenant = context.site.tenant { flash += " Welcome to \(tenant.name): your membership is active." }
        return app.redirect(to: context.visitor?.userID == user ? "/membership" : "/sign-in", flash: flash)
    }

    @Sendable func resend(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        guard !context.visitor.emailConfirmed else { return app.redirect(to: "/membership") }
        let visitor = context.visitor
        let key = "confirm-resend:\(visitor.userID)"
        let sent = try await app.database.withTenant(tenant.id, user: visitor.userID) { tx -> Bool in
            guard try await tx.recordAttempt(keys: [key], within: .seconds(3600))[0] <= 5,
                  let user = try await tx.user(visitor.userID) else { return false }
            let token = Tokens.random()
            try await tx.storeEmailConfirmation(tokenHash: Tokens.hash(token), user: user.id, lifetime: Self.confirmationLifetime)
            try await tx.enqueue(confirmationMail(to: user.email, name: user.firstName, token: token, tenant: tenant), tenant: tenant.id)
            return true
        }
        return app.redirect(to: "/membership", flash: sent ? "We sent a new confirmation link." : "We already sent several links this hour; please check your inbox and spam folder.")
    }

    /// A confirmed person waiting on a free tenant is active: after confirming, after joining,
    /// after the organizer made membership free. True if it changed.
    /// `confirmed` is given when the caller has just proved the address itself.
    /// A member made active is invited to the sessions ahead.
    static func activateIfFree(_ tx: Transaction, app: AppServices, tenant: Tenant, user: UserID, confirmed: Bool? = nil) async throws -> Bool {
        guard try await tx.membershipSettings().isFree else { return false }
        let isConfirmed: Bool
        if let confirmed { isConfirmed = confirmed } else { isConfirmed = try await tx.emailConfirmed(user: user) }
        guard isConfirmed, try await tx.changeMembershipStatus(user: user, from: .awaitingPayment, to: .active) else { return false }
        try await app.announcer.inviteToUpcoming(tx, tenant: tenant, member: user)
        return true
    }

    private func expiredLink(_ context: some PageContext) throws -> Response {
        try app.views.page("error", context, title: "Link expired",
                           model: ErrorWithActionModel.linkExpired("Confirmation links work once, for 48 hours. Sign in and ask for a new one.",
                                                                   actionURL: "/membership", actionLabel: "Go to my membership"),
                           status: .gone)
    }

    // MARK: where do I stand

    @Sendable func status(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        let visitor = context.visitor
        guard var status = visitor.membershipStatus else { return app.redirect(to: "/join") }
        let (settings, payments, activated) = try await app.database.withTenant(tenant.id, user: visitor.userID) { tx in
            let activated = status == .awaitingPayment ? try await Self.activateIfFree(tx, app: app, tenant: tenant, user: visitor.userID) : false
            return (try await tx.membershipSettings(), try await tx.payments(user: visitor.userID), activated)
        }
        if activated { status = .active }
        return try app.views.page("membership", context, title: "Your membership",
                                  model: MembershipModel(status: status, emailConfirmed: visitor.emailConfirmed,
                                                         settings: settings, payments: payments, zone: context.viewerZone))
    }
}

/// The registration form, checked field by field against what the database will accept.
struct RegistrationForm {
    var username, firstName, lastName, email, password, confirmation: String

    init(_ form: FormData) {
        username = form.text("username").lowercased()
        firstName = form.text("first_name")
        lastName = form.text("last_name")
        email = form.text("email")
        password = form["password"] ?? ""
        confirmation = form["confirmation"] ?? ""
    }

    static func takenMessage(_ username: String) -> String {
        "The username \(username) is already taken on Mingle: choose another, or sign in if it is yours."
    }

    /// Every problem at once, each at its field (in the form's order).
    func problems() -> FormProblems {
        var problems = FormProblems()
        if firstName.isEmpty || firstName.unicodeScalars.count > 80 { problems.add("first_name", "Give your first name (up to 80 characters).") }
        if lastName.isEmpty || lastName.unicodeScalars.count > 80 { problems.add("last_name", "Give your last name (up to 80 characters).") }
        if !Validation.isEmail(email) { problems.add("email", "Give a valid email address: we send a link to confirm it.") }
        if !Validation.isUsername(username) { problems.add("username", Validation.usernameRule) }
        Passwords.check(password, confirmation: confirmation, into: &problems)
        return problems
    }
}
