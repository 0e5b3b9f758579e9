import Foundation
import Hummingbird
import Reports
import Store

/// The super-tenant console on the platform host. Every data access goes through
/// `Database.withPlatformAccess`, which the database audits.
struct AdminController {
    let app: AppServices
    let auth: AuthController
    var provisioning: TenantProvisioning { TenantProvisioning(app: app) }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let admin = router.group("/admin", context: PlatformAdminRequestContext.self)
        admin.get("", use: tenants)
        admin.get("/tenants/new", use: newTenantForm)
        admin.post("/tenants", use: createTenant)
        admin.get("/tenants/:slug", use: tenant)
        admin.post("/tenants/:slug/suspend", use: suspend)
        admin.post("/tenants/:slug/reactivate", use: reactivate)
        admin.post("/tenants/:slug/open-portal", use: openPortal)
        admin.get("/outbox", use: outbox)
        admin.get("/outbox/:id", use: outboxMessage)
        admin.get("/audit", use: audit)
        admin.get("/reports", use: reports)
        admin.get("/reports.csv", use: reportsCSV)
        // Arrival on the tenant's host with the one-time hand-off token.
        router.get("/admin-handoff", use: handoff)
    }

    @Sendable func tenants(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let tenants = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "list tenants") {
            try await $0.visibleTenants()
        }
        return try app.views.page("admin/tenants", context, title: "Tenants",
                                  model: TenantsModel(tenants, url: { app.config.baseURL(tenantSlug: $0) }))
    }

    /// Platform figures: per tenant and in total (active members, sessions held, minutes of
    /// one-to-one conversation, surveys); each tenant's reports open in its organizer portal.
    @Sendable func reports(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let figures = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "platform figures") {
            try await $0.platformTenantFigures()
        }
        return try app.views.page("admin/reports", context, title: "Platform figures", model: PlatformFiguresModel(figures))
    }

    /// Whole minutes, rounded to the nearest.
    static func minutes(_ seconds: Int) -> Int { (seconds + 30) / 60 }

    @Sendable func reportsCSV(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let figures = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "platform figures (CSV)") {
            try await $0.platformTenantFigures()
        }
        let table = ReportTable(
            header: ["Tenant", "Address", "Status", "Active members", "Sessions held", "Minutes one-to-one", "Surveys"],
            rows: figures.map { [$0.name, $0.slug, $0.status, String($0.activeMembers), String($0.sessionsHeld),
                                 String(Self.minutes($0.pairSeconds)), String($0.surveys)] })
        return table.download(name: "mingle-platform-figures")
    }

    @Sendable func newTenantForm(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        try app.views.page("admin/new_tenant", context, title: "New tenant", model: NewTenantModel(root: app.config.rootHost))
    }

    @Sendable func createTenant(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let form = NewTenantForm(context.form)
        let organizer = FirstOrganizer.newAccount(username: form.username, firstName: form.firstName, lastName: form.lastName, email: form.email)
        var errors = form.problems()
        if errors.isEmpty {
            let conflicts = try await provisioning.conflicts(slug: form.slug, organizer: organizer)
            errors += [conflicts.slug, conflicts.username].compactMap { $0 }
        }
        guard errors.isEmpty else {
            return try app.views.page("admin/new_tenant", context, title: "New tenant",
                                      model: form.model(errors: errors, root: app.config.rootHost), status: .unprocessableContent)
        }
        let tenantID = UUID()
        // One transaction: the tenant, its organizer, the set-password link and the email, or none of them.
        try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: tenantID, action: "create tenant",
                                                  detail: form.slug) { tx in
            try await provisioning.create(tx, id: tenantID, slug: form.slug, name: form.name, organizer: organizer)
        }
        await app.directory.invalidate(slug: form.slug)
        return app.redirect(to: "/admin/tenants/\(form.slug)",
                            flash: "Tenant \(form.name) created. \(form.firstName) was emailed a link to set a password.")
    }

    private func target(_ context: PlatformAdminRequestContext) async throws -> Tenant {
        let slug = try context.parameters.require("slug")
        guard let tenant = try await app.database.withoutTenant({ try await $0.tenant(slug: slug) }) else {
            throw HTTPError(.notFound, message: "There is no tenant \(slug).")
        }
        return tenant
    }

    @Sendable func tenant(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let tenant = try await target(context)
        let members = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: tenant.id,
                                                                action: "view members") { try await $0.members() }
        return try app.views.page("admin/tenant", context, title: tenant.name,
                                  model: TenantModel(tenant, url: app.config.baseURL(tenantSlug: tenant.slug), members: members, zone: context.viewerZone))
    }

    @Sendable func suspend(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        try await setStatus(.suspended, context, flash: "is suspended: its site now answers 404.")
    }

    @Sendable func reactivate(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        try await setStatus(.active, context, flash: "is active again.")
    }

    private func setStatus(_ status: Tenant.Status, _ context: PlatformAdminRequestContext, flash: String) async throws -> Response {
        let tenant = try await target(context)
        try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: tenant.id,
                                                  action: status == .active ? "reactivate tenant" : "suspend tenant") {
            try await $0.setTenantStatus(tenant.id, status)
        }
        await app.directory.invalidate(slug: tenant.slug)
        return app.redirect(to: "/admin/tenants/\(tenant.slug)", flash: "\(tenant.name) \(flash)")
    }

    /// Audited: a 60-second, single-use hand-off for the tenant's host, exchanged there for an
    /// ordinary session (cookies are host-only, so the console cannot set one itself).
    @Sendable func openPortal(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let tenant = try await target(context)
        let token = Tokens.random()
        let host = "\(tenant.slug).\(app.config.rootHost)"
        try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: tenant.id, action: "open organizer portal") {
            try await $0.createHandoff(tokenHash: Tokens.hash(token), host: host, tenant: tenant.id)
        }
        let next = AppServices.safeNext(context.form["next"])
        let onward = next.hasPrefix("/organize/") ? "&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" : ""
        return Response.redirect(to: "\(app.config.baseURL(tenantSlug: tenant.slug))/admin-handoff?token=\(token)\(onward)", type: .normal)
    }

    @Sendable func handoff(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let tenant = context.site.tenant else { throw HTTPError(.notFound) }
        let token = request.queryValue("token") ?? ""
        guard Tokens.looksValid(token) else { throw HTTPError(.notFound) }
        let taken = try await app.database.withoutTenant {
            try await $0.takeHandoff(tokenHash: Tokens.hash(token), host: app.host(context.site))
        }
        guard let taken, taken.tenant == tenant.id else {
            throw HTTPError(.gone, message: "This hand-off link has expired or was already used. Open the portal again from the console.")
        }
        let next = AppServices.safeNext(request.queryValue("next"))
        var response = app.redirect(to: next.hasPrefix("/organize/") ? next : "/organize", flash: "You opened \(tenant.name)'s organizer portal.")
        try await auth.startSession(user: taken.user, site: context.site, replacing: nil, request: request,
                                    response: &response, actingTenant: tenant.id, lifetime: .seconds(8 * 3600))
        return response
    }

    @Sendable func outbox(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let entries = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "view outbox") {
            try await $0.outboxEntries(limit: 200)
        }
        return try app.views.page("admin/outbox", context, title: "Mail outbox",
                                  model: OutboxModel(entries, smtpConfigured: app.config.smtp != nil, zone: context.viewerZone))
    }

    /// A queued message as it will be sent; audited, since it may hold a single-use link.
    @Sendable func outboxMessage(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw HTTPError(.notFound) }
        let found = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil,
                                                              action: "read queued mail", detail: id.uuidString.lowercased()) {
            try await $0.outboxMessage(id)
        }
        guard let (entry, text) = found else { throw HTTPError(.notFound, message: "There is no such message.") }
        return try app.views.page("admin/outbox_message", context, title: entry.subject, model: OutboxMessageModel(entry, text: text, zone: context.viewerZone))
    }

    @Sendable func audit(_ request: Request, context: PlatformAdminRequestContext) async throws -> Response {
        let entries = try await app.database.withPlatformAccess(actor: context.visitor.userID, tenant: nil, action: "view audit log") {
            try await $0.auditEntries(limit: 300)
        }
        return try app.views.page("admin/audit", context, title: "Audit log", model: AuditModel(entries, zone: context.viewerZone))
    }
}

/// The console's "new tenant" form, checked field by field.
struct NewTenantForm {
    var slug, name, username, firstName, lastName, email: String

    init(_ form: FormData) {
        slug = form.text("slug").lowercased()
        name = form.text("name")
        username = form.text("username").lowercased()
        firstName = form.text("first_name")
        lastName = form.text("last_name")
        email = form.text("email")
    }

    func problems() -> [String] {
        var errors: [String] = []
        if !Validation.isSlug(slug) { errors.append("The address must be 1–40 lowercase letters, digits or hyphens, not starting or ending with a hyphen.") }
        if name.isEmpty || name.unicodeScalars.count > 120 { errors.append("Give the tenant a name of 1–120 characters.") }
        if !Validation.isUsername(username) { errors.append(Validation.usernameRule) }
        if firstName.isEmpty || firstName.unicodeScalars.count > 80 { errors.append("Give the organizer's first name (up to 80 characters).") }
        if lastName.unicodeScalars.count > 80 { errors.append("The last name can be at most 80 characters.") }
        if !Validation.isEmail(email) { errors.append("Give a valid email address for the organizer.") }
        return errors
    }

    func model(errors: [String], root: String) -> NewTenantModel {
        NewTenantModel(root: root, form: self, errors: errors)
    }
}

enum Validation {
    enum SlugProblem { case format, reserved }
    static let slugRule = "An address is 1–40 lowercase letters, digits or hyphens, not starting or ending with a hyphen."
    /// Names of the platform's own hosts and words that would mislead as a site's address.
    static let reservedSlugs: Set = ["www", "admin", "api", "mail", "static", "mingle", "help", "support", "status",
                                     "blog", "docs", "app", "assets", "cdn", "smtp", "root", "localhost"]

    static func slugProblem(_ s: String) -> SlugProblem? {
        if s.range(of: "^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$", options: .regularExpression) == nil { return .format }
        return reservedSlugs.contains(s) ? .reserved : nil
    }
    static func isSlug(_ s: String) -> Bool { slugProblem(s) == nil }
    static let usernameRule = "A username is 2–32 characters: lowercase letters, digits, dots, hyphens or underscores, starting with a letter or digit."
    static func isUsername(_ s: String) -> Bool { s.range(of: "^[a-z0-9][a-z0-9_.-]{1,31}$", options: .regularExpression) != nil }
    static func isEmail(_ s: String) -> Bool {
        s.unicodeScalars.count <= 254 && s.range(of: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", options: .regularExpression) != nil
    }
}
