import Foundation
import Store

/// The platform home (`/`): what Mingle is, the sites a signed-in person belongs to, and the
/// "request your own site" form, empty or as typed with a problem beside each field.
struct PlatformHomeModel: Encodable, Equatable {
    struct SiteLink: Encodable, Equatable {
        var name: String
        var url: String
        /// "Organizer" or "Member".
        var role: String
        /// "awaiting payment", "suspended", or nil when active.
        var note: String?
    }

    /// One field of the form: what was typed, what is wrong with it, and whether it is the
    /// first wrong one (focused, so a refused form shows its first problem, not the top of the page).
    struct Field: Encodable, Equatable {
        var value: String
        var problem: String?
        var focus: Bool
    }

    struct Fields: Encodable, Equatable {
        var siteName, slug, firstName, lastName, email, username, about: Field

        enum CodingKeys: String, CodingKey {
            case siteName = "site_name", slug, firstName = "first_name", lastName = "last_name", email, username, about
        }
    }

    var sites: [SiteLink]
    var hasSites: Bool
    var signedIn: Bool
    var form: Fields
    var hasProblems: Bool
    /// The platform's host, after a site's address.
    var root: String
    var aboutLimit = SiteRequestForm.aboutLimit

    /// `url` gives a site's address from its slug; `me` fills in the contact fields of a
    /// signed-in person's empty form.
    init(sites: [MySite], signedIn: Bool, root: String, url: (String) -> String, form: SiteRequestForm? = nil,
         problems p: SiteRequestForm.Problems = .init(), me: UserRecord? = nil) {
        self.sites = sites.map {
            SiteLink(name: $0.name, url: url($0.slug), role: $0.role == .organizer ? "Organizer" : "Member",
                     note: $0.status == .active ? nil : $0.status.rawValue.replacingOccurrences(of: "_", with: " "))
        }
        (hasSites, self.signedIn, self.root) = (!sites.isEmpty, signedIn, root)
        let d = form?.draft ?? SiteRequestDraft(slug: "", siteName: "", firstName: me?.firstName ?? "", lastName: me?.lastName ?? "",
                                                email: me?.email ?? "", username: "", about: "")
        // In the order the form shows them.
        let pairs = [(d.siteName, p.siteName), (d.slug, p.slug), (d.firstName, p.firstName), (d.lastName, p.lastName),
                     (d.email, p.email), (d.username, p.username), (d.about, p.about)]
        let first = pairs.firstIndex { $0.1 != nil }
        let f = pairs.indices.map { Field(value: pairs[$0].0, problem: pairs[$0].1, focus: $0 == first) }
        self.form = Fields(siteName: f[0], slug: f[1], firstName: f[2], lastName: f[3], email: f[4], username: f[5], about: f[6])
        hasProblems = !p.isEmpty
    }
}

/// After a request was filed (`/site-requests/received`): what happens next.
struct SiteRequestReceivedModel: Encodable, Equatable {
    var address: String?
}

/// The console's list of site requests (`/admin/site-requests`): waiting ones first.
struct SiteRequestsModel: Encodable, Equatable {
    struct Row: Encodable, Equatable {
        var id: String
        var siteName: String
        var address: String
        var contact: String
        var email: String
        var received: String
        var status: String
        var pending: Bool
        var approved: Bool
    }

    var requests: [Row]
    var empty: Bool
    /// "1 request waits" / "3 requests wait" / nil when none.
    var waiting: String?

    init(_ requests: [SiteRequestRecord], root: String, zone: TimeZone) {
        self.requests = requests.map {
            Row(id: $0.id.uuidString.lowercased(), siteName: $0.siteName, address: "\($0.slug).\(root)", contact: $0.contactName,
                email: $0.email, received: LocalTime.shortWithZone($0.createdAt, in: zone), status: $0.status.rawValue,
                pending: $0.status == .pending, approved: $0.status == .approved)
        }
        empty = requests.isEmpty
        let count = requests.filter { $0.status == .pending }.count
        waiting = count == 0 ? nil : count == 1 ? "1 request waits" : "\(count) requests wait"
    }
}

/// One site request in the console (`/admin/site-requests/<id>`): what was asked, and the
/// approve and decline forms while it waits, or how it was decided.
struct SiteRequestModel: Encodable, Equatable {
    /// An existing account with the requester's email that could be made the organizer.
    struct Account: Encodable, Equatable {
        var id: String
        var username: String
        var name: String
        var checked: Bool
    }

    /// What a refused decision had chosen and typed, and what was wrong.
    struct Typed: Equatable {
        var organizer = "new"
        var username = ""
        var reason = ""
        var approveProblem: String?
        var usernameProblem: String?
        var reasonProblem: String?
    }

    var id: String
    var siteName: String
    var slug: String
    var address: String
    var contact: String
    var email: String
    var about: String
    var received: String
    var status: String
    var pending: Bool
    var approved: Bool
    var declined: Bool
    /// "Approved by root on …" / "Declined by root on …".
    var decided: String?
    var declineReason: String?
    var siteURL: String?
    var tenantSlug: String?
    var accounts: [Account]
    var hasAccounts: Bool
    var newAccountChecked: Bool
    var username: String
    var reason: String
    var approveProblem: String?
    var usernameProblem: String?
    var reasonProblem: String?

    init(_ request: SiteRequestRecord, accounts: [UserRecord], root: String, url: (String) -> String, zone: TimeZone, typed: Typed = Typed()) {
        (id, siteName, slug, address) = (request.id.uuidString.lowercased(), request.siteName, request.slug, "\(request.slug).\(root)")
        (contact, email, about) = (request.contactName, request.email, request.about)
        received = LocalTime.shortWithZone(request.createdAt, in: zone)
        status = request.status.rawValue
        (pending, approved, declined) = (request.status == .pending, request.status == .approved, request.status == .declined)
        if let at = request.decidedAt {
            decided = "\(approved ? "Approved" : "Declined") by \(request.decidedBy ?? "an administrator") on \(LocalTime.shortWithZone(at, in: zone))."
        }
        declineReason = declined ? request.declineReason : nil
        (tenantSlug, siteURL) = (request.tenantSlug, request.tenantSlug.map(url))
        self.accounts = accounts.map {
            Account(id: $0.id.uuidString.lowercased(), username: $0.username, name: $0.displayName,
                    checked: typed.organizer == $0.id.uuidString.lowercased())
        }
        hasAccounts = !accounts.isEmpty
        newAccountChecked = !self.accounts.contains { $0.checked }
        // The desired username, or one made from the first name, for the admin to change.
        let suggested = request.username.isEmpty ? Self.suggestedUsername(request) : request.username
        username = typed.username.isEmpty ? suggested : typed.username
        reason = typed.reason
        (approveProblem, usernameProblem, reasonProblem) = (typed.approveProblem, typed.usernameProblem, typed.reasonProblem)
    }

    /// The first name's letters and digits, lowercased ("Anna-Lena" → "annalena"), or the
    /// address when that is too short.
    static func suggestedUsername(_ request: SiteRequestRecord) -> String {
        let letters = String(request.firstName.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
            .map(Character.init).prefix(32))
        return Validation.isUsername(letters) ? letters : String(request.slug.prefix(32))
    }
}

/// The "Set up your site" checklist on the organizer portal's overview: each first step,
/// ticked when the data shows it done, linking to the page that does it.
struct SetupChecklistModel: Encodable, Equatable {
    struct Step: Encodable, Equatable {
        var title: String
        var hint: String
        var url: String
        var done: Bool
        /// A link to pass on (the site's join page).
        var share: String?
    }

    var steps: [Step]
    /// "2 of 5 done".
    var progress: String
    var complete: Bool

    /// `joinURL`: the site's own join page, for the organizer to share.
    init(tenant: Tenant, facts: SiteSetupFacts, members: [MemberRecord], joinURL: String) {
        let b = tenant.branding, defaults = Branding()
        let branded = b.logoImageID != nil || b.accentColor != defaults.accentColor || !b.headerText.isEmpty
            || !b.footerText.isEmpty || !b.footerLinks.isEmpty
        steps = [
            Step(title: "Make the site yours", hint: "Your logo, colour, header and footer, on every page and email.",
                 url: "/organize/branding", done: branded),
            Step(title: "Set the membership fee and PayPal", hint: "What joining costs and where the money goes, or make joining free.",
                 url: "/organize/membership", done: facts.feeAndPayPalSet),
            Step(title: "Add profile sections", hint: "What members tell each other about themselves.",
                 url: "/organize/profile", done: facts.hasProfileSection),
            Step(title: "Schedule your first session", hint: "Members are invited by message and email, with a calendar file.",
                 url: "/organize/sessions/new", done: facts.hasSession),
            Step(title: "Invite members", hint: "Share this link; whoever follows it can join:",
                 url: "/organize/members", done: members.contains { $0.role == .member }, share: joinURL),
        ]
        let done = steps.filter(\.done).count
        progress = "\(done) of \(steps.count) done"
        complete = done == steps.count
    }
}
