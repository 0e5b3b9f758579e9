import Foundation
import Hummingbird
import Store

/// Sign in, sign out, forgotten and changed passwords: on every host.
struct AuthController {
    let app: AppServices
    static let failuresPerAccountAndAddress = 5
    static let failuresPerAddress = 100
    static let resetRequestsPerAddress = 10
    static let throttleWindow = Duration.seconds(15 * 60)
    static let resetLifetime = Duration.seconds(3600)

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("/sign-in", use: signInForm)
        router.post("/sign-in", use: signIn)
        router.post("/sign-out", use: signOut)
        router.get("/forgot-password", use: forgotForm)
        router.post("/forgot-password", use: forgot)
        router.get("/reset-password", use: resetForm)
        router.post("/reset-password", use: reset)
        router.group("/account", context: SignedInRequestContext.self)
            .get("/password", use: changeForm)
            .post("/password", use: change)
    }

    @Sendable func signInForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.visitor != nil { return app.redirect(to: AppServices.safeNext(request.queryValue("next"))) }
        // `username` comes filled in from a registration that found it taken.
        let username = String((request.queryValue("username") ?? "").lowercased().prefix(32))
        return try app.views.page("sign_in", context, title: "Sign in",
                                  model: SignInModel(next: AppServices.safeNext(request.queryValue("next")), username: username))
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let username = context.form.text("username").lowercased()
        let password = context.form["password"] ?? ""
        let next = AppServices.safeNext(context.form["next"])
        func again(_ error: String, _ status: HTTPResponse.Status) throws -> Response {
            try app.views.page("sign_in", context, title: "Sign in",
                               model: SignInModel(next: next, username: username, error: error), status: status)
        }
        guard !username.isEmpty, !password.isEmpty else {
            return try again("Enter your username and password.", .unprocessableContent)
        }
        // Per (account, address) and per address, never per account alone: someone elsewhere
        // failing on purpose cannot lock the real user out. Counted before bcrypt runs.
        let keys = Self.attemptKeys(username: username, address: context.clientAddress)
        let counts = try await app.database.withoutTenant {
            try await $0.recordAttempt(keys: [keys.pair, keys.address], within: Self.throttleWindow)
        }
        if counts[0] > Self.failuresPerAccountAndAddress || counts[1] > Self.failuresPerAddress {
            return try again("Too many failed attempts. Wait 15 minutes, or reset your password.", .tooManyRequests)
        }
        let credentials = try await app.database.withoutTenant { try await $0.credentials(username: username) }
        guard try await app.passwords.verify(password, hash: credentials?.passwordHash), let userID = credentials?.id else {
            return try again("That username and password do not match an account.", .unauthorized)
        }
        var response = app.redirect(to: next)
        try await startSession(user: userID, site: context.site, replacing: context.visitor, request: request,
                               response: &response, succeeded: keys)
        return response
    }

    static func attemptKeys(username: String, address: String) -> (pair: String, address: String) {
        ("signin:\(username)|\(address)", "signin-address:\(address)")
    }

    /// A new session id on every sign-in; the previous one (if any) ends.
    func startSession(user: UserID, site: Site, replacing old: Visitor?, request: Request, response: inout Response,
                      succeeded attempt: (pair: String, address: String)? = nil, actingTenant: TenantID? = nil,
                      lifetime: Duration = SessionCookies.sessionLifetime) async throws {
        let token = Tokens.random()
        let host = app.host(site)
        let oldCookie = request.cookies[app.cookies.sessionName]?.value
        try await app.database.withoutTenant { tx in
            if let oldCookie { try await tx.deleteSession(tokenHash: Tokens.hash(oldCookie)) }
            try await tx.createSession(tokenHash: Tokens.hash(token), user: user, host: host, lifetime: lifetime,
                                       actingTenant: actingTenant)
            if let attempt { try await tx.loginAttemptSucceeded(pair: attempt.pair, address: attempt.address) }
        }
        response.setCookie(app.cookies.sessionCookie(token))
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let visitor = context.visitor {
            try await app.database.withoutTenant { try await $0.deleteSession(tokenHash: visitor.sessionTokenHash) }
        }
        var response = app.redirect(to: "/", flash: "You are signed out.")
        response.setCookie(app.cookies.expired(app.cookies.sessionName))
        return response
    }

    @Sendable func forgotForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try app.views.page("forgot_password", context, title: "Reset your password")
    }

    @Sendable func forgot(_ request: Request, context: AppRequestContext) async throws -> Response {
        let login = context.form.text("login")
        guard !login.isEmpty, login.count <= 254 else {
            return try app.views.page("forgot_password", context, title: "Reset your password",
                                      model: FormErrorModel(error: "Enter your username or email address."), status: .unprocessableContent)
        }
        let requests = try await app.database.withoutTenant {
            try await $0.recordAttempt(keys: ["reset-address:\(context.clientAddress)"], within: .seconds(3600))
        }
        guard requests[0] <= Self.resetRequestsPerAddress else {
            return try app.views.page("forgot_password", context, title: "Reset your password",
                                      model: FormErrorModel(error: "Too many reset requests from this address. Try again in an hour."),
                                      status: .tooManyRequests)
        }
        try await sendResetLinks(login: login, site: context.site)
        // The same answer whether or not an account matched: no way to probe for accounts.
        return app.redirect(to: "/sign-in", flash: "If an account matches, we have emailed a link to reset its password. It works once, for one hour.")
    }

    /// Mails a reset link to each account the login names. A tenant's brand and host are used
    /// only for that tenant's own members; anyone else gets the platform's, so a tenant cannot
    /// send its look to strangers.
    func sendResetLinks(login: String, site: Site) async throws {
        func send(_ target: ResetTarget, on site: Site, in tx: Transaction) async throws {
            let token = Tokens.random()
            try await tx.storePasswordReset(tokenHash: Tokens.hash(token), user: target.id, lifetime: Self.resetLifetime)
            let link = "\(app.config.baseURL(tenantSlug: site.tenant?.slug))/reset-password?token=\(token)"
            let mail = app.mailer.compose("password_reset", to: target.email, subject: "Reset your password", site: site,
                                          values: ["name": target.firstName.isEmpty ? target.username : target.firstName,
                                                   "username": target.username, "link": link])
            try await tx.enqueue(mail, tenant: site.tenant?.id)
        }
        var outsiders: [ResetTarget] = []
        if let tenant = site.tenant {
            outsiders = try await app.database.withTenant(tenant.id) { tx in
                var outsiders: [ResetTarget] = []
                for target in try await tx.passwordResetTargets(login: login) {
                    if try await tx.membership(user: target.id) != nil {
                        try await send(target, on: site, in: tx)
                    } else {
                        outsiders.append(target)
                    }
                }
                return outsiders
            }
        } else {
            outsiders = try await app.database.withoutTenant { try await $0.passwordResetTargets(login: login) }
        }
        guard !outsiders.isEmpty else { return }
        try await app.database.withoutTenant { tx in
            for target in outsiders { try await send(target, on: .platform, in: tx) }
        }
    }

    @Sendable func resetForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.queryValue("token") ?? ""
        guard Tokens.looksValid(token),
              try await app.database.withoutTenant({ try await $0.passwordResetIsValid(tokenHash: Tokens.hash(token)) }) else {
            return try invalidLink(context)
        }
        return try app.views.page("reset_password", context, title: "Choose a new password", model: ResetPasswordModel(token: token))
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.form["token"] ?? ""
        let password = context.form["password"] ?? ""
        guard Tokens.looksValid(token) else { return try invalidLink(context) }
        if let problem = Passwords.problem(with: password, confirmation: context.form["confirmation"] ?? "") {
            return try app.views.page("reset_password", context, title: "Choose a new password",
                                      model: ResetPasswordModel(token: token, error: problem), status: .unprocessableContent)
        }
        // Check the token before paying for bcrypt, so made-up tokens cost almost nothing.
        guard try await app.database.withoutTenant({ try await $0.passwordResetIsValid(tokenHash: Tokens.hash(token)) }) else {
            return try invalidLink(context)
        }
        let hash = try await app.passwords.hash(password)
        let user = try await app.database.withoutTenant {
            try await $0.consumePasswordReset(tokenHash: Tokens.hash(token), newPasswordHash: hash)
        }
        guard let user else { return try invalidLink(context) }
        // A site's organizer (a new one, invited by email) goes straight to the portal, whose
        // first page is the set-up checklist: the link proved the address, the password is new.
        if let tenant = context.site.tenant,
           try await app.database.withTenant(tenant.id, user: user, { try await $0.membership(user: user) })?.role == .organizer {
            var response = app.redirect(to: "/organize", flash: "Your password is set. Welcome to the organizer portal of \(tenant.name).")
            try await startSession(user: user, site: context.site, replacing: context.visitor, request: request, response: &response)
            return response
        }
        return app.redirect(to: "/sign-in", flash: "Your new password is set. Sign in with it.")
    }

    private func invalidLink(_ context: some PageContext) throws -> Response {
        try app.views.page("error", context, title: "Link expired",
                           model: ErrorWithActionModel.linkExpired("Password links work once and for one hour. Ask for a new one.",
                                                                   actionURL: "/forgot-password", actionLabel: "Send a new link"),
                           status: .gone)
    }

    @Sendable func changeForm(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        try app.views.page("change_password", context, title: "Change your password", model: ChangePasswordModel(site: context.site))
    }

    /// Every problem at once beside its field; the current password is checked (bcrypt, and
    /// counted like a sign-in) only once the new one is acceptable.
    @Sendable func change(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let current = context.form["current"] ?? ""
        let password = context.form["password"] ?? ""
        func again(_ model: ChangePasswordModel, _ status: HTTPResponse.Status) throws -> Response {
            try app.views.page("change_password", context, title: "Change your password", model: model, status: status)
        }
        var refused = ChangePasswordModel(site: context.site)
        if current.isEmpty { refused.currentProblem = "Give your current password." }
        if let problem = Passwords.problem(with: password, confirmation: context.form["confirmation"] ?? "") {
            if password.count >= Passwords.minimumLength && password.utf8.count <= Passwords.maximumLength {
                refused.confirmationProblem = problem
            } else {
                refused.passwordProblem = problem
            }
        }
        if refused.hasProblems { return try again(refused, .unprocessableContent) }
        // The same limit as signing in: a stolen session must not become a password oracle.
        let keys = Self.attemptKeys(username: context.visitor.username, address: context.clientAddress)
        let tries = try await app.database.withoutTenant { try await $0.recordAttempt(keys: [keys.pair], within: Self.throttleWindow) }
        guard tries[0] <= Self.failuresPerAccountAndAddress else {
            refused.error = "Too many failed attempts. Wait 15 minutes, or reset your password."
            return try again(refused, .tooManyRequests)
        }
        let credentials = try await app.database.withoutTenant { try await $0.credentials(username: context.visitor.username) }
        guard try await app.passwords.verify(current, hash: credentials?.passwordHash) else {
            refused.currentProblem = "That is not your current password."
            return try again(refused, .unauthorized)
        }
        let hash = try await app.passwords.hash(password)
        let visitor = context.visitor
        try await app.database.withoutTenant(user: visitor.userID) { tx in
            try await tx.setPassword(user: visitor.userID, hash: hash)
            try await tx.deleteOtherSessions(user: visitor.userID, keeping: visitor.sessionTokenHash)
            try await tx.loginAttemptSucceeded(pair: keys.pair, address: "")
        }
        return app.redirect(to: refused.backURL ?? "/", flash: "Your password is changed. Other devices were signed out.")
    }
}
