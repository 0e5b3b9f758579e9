import Foundation
import Store

/// Who becomes a new site's first organizer.
enum FirstOrganizer: Equatable {
    /// A new account, emailed a 72-hour link to set its password.
    case newAccount(username: String, firstName: String, lastName: String, email: String)
    /// An account that exists already: it gets an organizer membership and an email saying the
    /// site is ready; no new account, no password link.
    case existing(UserRecord)

    /// The username of an account still to be made.
    var newUsername: String? {
        switch self {
        case .newAccount(let username, _, _, _): username
        case .existing: nil
        }
    }

    var firstName: String {
        switch self {
        case .newAccount(let username, let firstName, _, _): firstName.isEmpty ? username : firstName
        case .existing(let user): user.firstName.isEmpty ? user.username : user.firstName
        }
    }
}

/// Making a tenant with its first organizer: the console's "new tenant" form and an approved
/// site request both come here, so the two cannot drift apart.
struct TenantProvisioning {
    let app: AppServices
    static let invitationLifetime = Duration.seconds(72 * 3600)

    /// What stops a tenant being made at `slug` with this organizer (the address or a new
    /// account's username taken), in plain words.
    func conflicts(slug: String, organizer: FirstOrganizer) async throws -> (slug: String?, username: String?) {
        let newUsername = organizer.newUsername
        let (slugTaken, usernameTaken) = try await app.database.withoutTenant { tx in
            var usernameTaken = false
            if let newUsername { usernameTaken = try await tx.usernameTaken(newUsername) }
            return (try await tx.tenant(slug: slug) != nil, usernameTaken)
        }
        return (slugTaken ? "The address \(slug).\(app.config.rootHost) is already taken." : nil,
                usernameTaken ? "The username \(newUsername ?? "") is already taken on Mingle." : nil)
    }

    /// The tenant, its organizer's membership (and account and set-password link, for a new
    /// one) and the email saying so, written in `tx`: a platform-access transaction for the new
    /// tenant `id`, so that all of it or none of it happens. The caller invalidates the
    /// directory's copy of `slug` after the commit.
    func create(_ tx: Transaction, id: TenantID, slug: String, name: String, organizer: FirstOrganizer) async throws {
        let branding = Branding(titleText: name)
        let site = Site.tenant(Tenant(id: id, slug: slug, name: name, status: .active, branding: branding))
        let siteURL = app.config.baseURL(tenantSlug: slug)
        try await tx.insertTenant(id: id, slug: slug, name: name, branding: branding)
        let mail: OutgoingMail
        switch organizer {
        case .newAccount(let username, let firstName, let lastName, let email):
            let token = Tokens.random()
            let user = try await tx.insertUser(username: username, email: email, firstName: firstName, lastName: lastName, passwordHash: nil)
            try await tx.insertMembership(tenant: id, user: user, role: .organizer)
            try await tx.storePasswordReset(tokenHash: Tokens.hash(token), user: user, lifetime: Self.invitationLifetime)
            mail = app.mailer.compose("organizer_invitation", to: email, subject: "Your Mingle site \(name) is ready", site: site,
                                      values: ["name": organizer.firstName, "username": username,
                                               "link": "\(siteURL)/reset-password?token=\(token)", "siteURL": siteURL])
        case .existing(let user):
            try await tx.insertMembership(tenant: id, user: user.id, role: .organizer)
            mail = app.mailer.compose("site_ready", to: user.email, subject: "Your Mingle site \(name) is ready", site: site,
                                      values: ["name": organizer.firstName, "username": user.username,
                                               "link": "\(siteURL)/sign-in?next=/organize", "siteURL": siteURL])
        }
        try await tx.enqueue(mail, tenant: id)
    }
}
