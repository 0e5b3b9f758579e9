import Foundation
import Hummingbird
import NIOCore
import Store

/// Becoming an organizer (issue 14): the platform home's "request your own site" form and its
/// live address check, and the console's list of requests where platform admins approve
/// (a tenant and its organizer, made as the console's "new tenant" form makes them) or decline
/// with a reason. The requester is emailed either way.
struct SiteRequestController {
    let app: AppServices
    var provisioning: TenantProvisioning { TenantProvisioning(app: app) }
    /// Requests that may wait at once from one email address, and from one client address.
    static let maxPending = 3
    /// Submissions per client address per hour, whatever became of them.
    static let submissionsPerHour = 10

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.get("/site-requests/address", use: checkAddress)
        router.post("/site-requests", use: submit)
        router.get("/site-requests/received", use: received)
        let console = router.group("/admin/site-requests", context: PlatformAdminRequestContext.self)
        console.get("", use: list)
        console.get("/:id", use: show)
        console.post("/:id/approve", use: approve)
        console.post("/:id/decline", use: decline)
    }

    // MARK: the platform home

    /// `{"slug", "state": available|taken|invalid, "message"}` for the form's live check.
    @Sendable func checkAddress(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard context.site.tenant == nil else { throw HTTPError(.notFound) }
        let slug = String((request.queryValue("slug") ?? "").trimmingCharacters(in: .whitespaces).lowercased().prefix(64))
        let answer = try await AddressCheck.check(slug, root: app.config.rootHost) { slug in
            try await app.database.withoutTenant { try await $0.siteSlugFree(slug) }
        }
        let body = try JSONEncoder().encode(answer)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard context.site.tenant == nil else { throw HTTPError(.notFound) }
        let form = SiteRequestForm(context.form)
        let root = app.config.rootHost
        var problems = form.problems(root: root)
        if !form.draft.username.isEmpty, problems.username == nil,
           try await app.database.withoutTenant({ try await $0.usernameTaken(form.draft.username) }) {
            problems.username = SiteRequestForm.usernameTaken(form.draft.username)
        }
        if problems.isEmpty {
            let recent = try await app.database.withoutTenant {
                try await $0.recordAttempt(keys: ["site-request-address:\(context.clientAddress)"], within: .seconds(3600))
            }
            if recent[0] > Self.submissionsPerHour {
                problems.email = "Too many requests from this network in the last hour. Try again later."
            }
        }
        if problems.isEmpty {
            let mail = app.mailer.compose("site_request_received", to: form.draft.email,
                                          subject: "We received your request for \(form.draft.slug).\(root)", site: .platform,
                                          values: ["name": form.draft.firstName, "siteName": form.draft.siteName,
                                                   "address": "\(form.draft.slug).\(root)"])
            let filed = try await app.database.withoutTenant { tx in
                let filed = try await tx.submitSiteRequest(form.draft, clientAddress: context.clientAddress, maxPending: Self.maxPending)
                if case .success = filed { try await tx.enqueue(mail, tenant: nil) }
                return filed
            }
            switch filed {
            case .success:
                return app.redirect(to: "/site-requests/received",
                                    flash: "Thank you: we received your request for \(form.draft.slug).\(root) and emailed \(form.draft.email).")
            case .failure(.taken): problems.slug = AddressCheck.taken(form.draft.slug, root: root)
            case .failure(.tooMany): problems.email = SiteRequestForm.tooMany
            }
        }
        return try await PlatformHome(app: app).page(context, form: form, problems: problems)
    }

    @Sendable func received(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard context.site.tenant == nil else { throw HTTPError(.notFound) }
        return try app.views.page("site_request_received", context, title: "Request received")
    }

    // MARK: the console

    @Sendable func list(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let requests = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "list site requests") {
            try await $0.siteRequests(limit: 300)
        }
        return try app.views.page("admin/site_requests", context, title: "Site requests",
                                  model: SiteRequestsModel(requests, root: app.config.rootHost, zone: context.viewerZone))
    }

    @Sendable func show(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        try await requestPage(context, id: try requestID(context))
    }

    /// The request, with the accounts its email already has; the decision forms as typed and
    /// with what is wrong, when one was refused (422).
    private func requestPage(_ context: PlatformAdminRequestContext, id: UUID, typed: SiteRequestModel.Typed? = nil) async throws -> Response {
        let (found, accounts) = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil,
                                                                          action: "view site request", detail: id.uuidString.lowercased()) { tx -> (SiteRequestRecord?, [UserRecord]) in
            guard let found = try await tx.siteRequest(id) else { return (nil, []) }
            return (found, found.status == .pending ? try await tx.users(email: found.email) : [])
        }
        guard let found else { throw HTTPError(.notFound, message: "There is no such site request.") }
        let model = SiteRequestModel(found, accounts: accounts, root: app.config.rootHost, url: { app.config.baseURL(tenantSlug: $0) },
                                     zone: context.viewerZone, typed: typed ?? .init())
        return try app.views.page("admin/site_request", context, title: "Request for \(found.siteName)", model: model,
                                  status: typed == nil ? .ok : .unprocessableContent)
    }

    private func requestID(_ context: PlatformAdminRequestContext) throws -> UUID {
        try context.parameters.rowID(notFound: "There is no such site request.")
    }

    /// Approves a waiting request: the tenant and its organizer (a new account invited to set a
    /// password, or the chosen existing account with the requester's email), in one audited
    /// transaction that first locks the request and checks it still waits.
    @Sendable func approve(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let id = try requestID(context)
        let admin = context.visitor.userID
        var typed = SiteRequestModel.Typed(organizer: context.form.text("organizer").lowercased(),
                                           username: context.form.text("username").lowercased())
        let (found, accounts) = try await app.database.withPlatformAccess(actor: admin, tenant: nil, action: "view site request",
                                                                          detail: id.uuidString.lowercased()) { tx -> (SiteRequestRecord?, [UserRecord]) in
            guard let found = try await tx.siteRequest(id) else { return (nil, []) }
            return (found, try await tx.users(email: found.email))
        }
        guard let found else { throw HTTPError(.notFound, message: "There is no such site request.") }
        guard found.status == .pending else { return try alreadyDecided(found, context) }
        let organizer: FirstOrganizer
        if typed.organizer == "new" || typed.organizer.isEmpty {
            organizer = .newAccount(username: typed.username, firstName: found.firstName, lastName: found.lastName, email: found.email)
            if !Validation.isUsername(typed.username) { typed.usernameProblem = Validation.usernameRule }
        } else if let account = accounts.first(where: { $0.id.uuidString.lowercased() == typed.organizer }) {
            organizer = .existing(account)
        } else {
            throw HTTPError(.notFound, message: "That account no longer has this request's email address.")
        }
        if typed.usernameProblem == nil {
            let conflicts = try await provisioning.conflicts(slug: found.slug, organizer: organizer)
            typed.usernameProblem = conflicts.username
            if let slug = conflicts.slug { typed.approveProblem = "\(slug) Decline the request with a reason, so the requester can ask again." }
        }
        if typed.usernameProblem != nil || typed.approveProblem != nil { return try await requestPage(context, id: id, typed: typed) }
        let tenantID = UUID()
        let approved = try await app.database.withPlatformAccess(actor: admin, tenant: tenantID, action: "approve site request",
                                                                 detail: found.slug) { tx -> Bool in
            guard try await tx.siteRequest(id, lock: true)?.status == .pending else { return false }
            try await provisioning.create(tx, id: tenantID, slug: found.slug, name: found.siteName, organizer: organizer)
            return try await tx.decideSiteRequest(id, approvedAs: tenantID, by: admin)
        }
        guard approved else { return try await decidedMeanwhile(id, context) }
        await app.directory.invalidate(slug: found.slug)
        let told = switch organizer {
        case .existing(let account): "\(account.username) is its organizer and was emailed that it is ready."
        case .newAccount: "\(found.firstName) was emailed a link to set a password."
        }
        return app.redirect(to: "/admin/site-requests/\(id.uuidString.lowercased())",
                            flash: "Approved: \(found.siteName) is live at \(found.slug).\(app.config.rootHost). \(told)")
    }

    /// Declines a waiting request with a reason, which the requester gets by email.
    @Sendable func decline(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let id = try requestID(context)
        let reason = context.form.text("reason")
        if let problem = SiteRequestDecision.reasonProblem(reason) {
            return try await requestPage(context, id: id, typed: .init(reason: reason, reasonProblem: problem))
        }
        let declined = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "decline site request",
                                                                 detail: id.uuidString.lowercased()) { tx -> SiteRequestRecord? in
            guard let found = try await tx.siteRequest(id, lock: true) else { throw HTTPError(.notFound, message: "There is no such site request.") }
            guard try await tx.decideSiteRequest(id, approvedAs: nil, declineReason: reason, by: context.visitor.userID) else { return nil }
            let mail = app.mailer.compose("site_request_declined", to: found.email,
                                          subject: "Your request for \(found.slug).\(app.config.rootHost)", site: .platform,
                                          values: ["name": found.firstName, "siteName": found.siteName,
                                                   "address": "\(found.slug).\(app.config.rootHost)", "reason": reason,
                                                   "homeURL": app.config.baseURL(tenantSlug: nil)])
            try await tx.enqueue(mail, tenant: nil)
            return found
        }
        guard let declined else { return try await decidedMeanwhile(id, context) }
        return app.redirect(to: "/admin/site-requests/\(id.uuidString.lowercased())",
                            flash: "Declined: \(declined.contactName) was emailed your reason.")
    }

    /// A second decision (a double submit, or two admins at once) changes nothing: 409.
    private func decidedMeanwhile(_ id: UUID, _ context: PlatformAdminRequestContext) async throws -> Response {
        let found = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "view site request",
                                                              detail: id.uuidString.lowercased()) { try await $0.siteRequest(id) }
        guard let found else { throw HTTPError(.notFound, message: "There is no such site request.") }
        return try alreadyDecided(found, context)
    }

    private func alreadyDecided(_ found: SiteRequestRecord, _ context: PlatformAdminRequestContext) throws -> Response {
        let how = SiteRequestModel(found, accounts: [], root: app.config.rootHost, url: { app.config.baseURL(tenantSlug: $0) },
                                   zone: context.viewerZone).decided ?? "It was already decided."
        return try app.views.page("error", context, title: "Already decided",
                                  model: ErrorWithActionModel(heading: "This request was already decided",
                                                              message: "\(how) Nothing was changed.",
                                                              actionURL: "/admin/site-requests/\(found.id.uuidString.lowercased())",
                                                              actionLabel: "See the request", homeURL: "/"),
                                  status: .conflict)
    }
}

/// The platform home's page: the sites a signed-in person belongs to and the request form.
struct PlatformHome {
    let app: AppServices

    func page(_ context: AppRequestContext, form: SiteRequestForm? = nil, problems: SiteRequestForm.Problems = .init()) async throws -> Response {
        var sites: [MySite] = []
        var me: UserRecord?
        if let visitor = context.visitor {
            (sites, me) = try await app.database.withoutTenant(user: visitor.userID) { tx in
                (try await tx.mySites(), try await tx.user(visitor.userID))
            }
        }
        let model = PlatformHomeModel(sites: sites, signedIn: context.visitor != nil, root: app.config.rootHost,
                                      url: { app.config.baseURL(tenantSlug: $0) }, form: form, problems: problems, me: me)
        return try app.views.page("platform_home", context, title: "Home", model: model,
                                  status: problems.isEmpty ? .ok : .unprocessableContent)
    }
}
