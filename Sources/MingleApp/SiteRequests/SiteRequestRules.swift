import Foundation
import Store

/// What a site's address may be, said in plain words, and the answer the home page's live
/// check shows (`GET /site-requests/address`).
struct AddressCheck: Encodable, Equatable {
    enum State: String, Encodable { case available, taken, invalid }
    var slug: String
    var state: State
    var message: String

    /// The format and the reserved names: nil when `slug` may be asked about at all.
    static func problem(_ slug: String, root: String) -> String? {
        if slug.isEmpty { return "Choose an address for your site." }
        switch Validation.slugProblem(slug) {
        case .format?: return Validation.slugRule
        case .reserved?: return "\(slug).\(root) is reserved. Choose another address."
        case nil: return nil
        }
    }

    static func taken(_ slug: String, root: String) -> String { "\(slug).\(root) is taken. Choose another address." }

    /// `free` asks the database (no site has it and no request waits for it); only asked when
    /// the format is right.
    static func check(_ slug: String, root: String, free: (String) async throws -> Bool) async throws -> AddressCheck {
        if let problem = problem(slug, root: root) { return AddressCheck(slug: slug, state: .invalid, message: problem) }
        if try await free(slug) { return AddressCheck(slug: slug, state: .available, message: "\(slug).\(root) is available.") }
        return AddressCheck(slug: slug, state: .taken, message: taken(slug, root: root))
    }
}

/// The platform home's "request your own site" form, as typed, with what is wrong beside each
/// field.
struct SiteRequestForm: Equatable {
    static let aboutLimit = 2000

    /// One message per field that has a problem.
    struct Problems: Equatable {
        var siteName, slug, firstName, lastName, email, username, about: String?

        var isEmpty: Bool { [siteName, slug, firstName, lastName, email, username, about].allSatisfy { $0 == nil } }
    }

    var draft: SiteRequestDraft

    init(_ form: FormData) {
        draft = SiteRequestDraft(slug: form.text("slug").lowercased(), siteName: form.text("site_name"),
                                 firstName: form.text("first_name"), lastName: form.text("last_name"), email: form.text("email"),
                                 username: form.text("username").lowercased(), about: form.text("about"))
    }

    init(_ draft: SiteRequestDraft) { self.draft = draft }

    /// Everything that can be said without the database.
    func problems(root: String) -> Problems {
        var p = Problems()
        let d = draft
        if d.siteName.isEmpty { p.siteName = "Give your site a name." }
        else if let long = Self.tooLong(d.siteName, 120, "A site name") { p.siteName = long }
        p.slug = AddressCheck.problem(d.slug, root: root)
        if d.firstName.isEmpty { p.firstName = "Give your first name." }
        else if let long = Self.tooLong(d.firstName, 80, "A first name") { p.firstName = long }
        p.lastName = Self.tooLong(d.lastName, 80, "A last name")
        if !Validation.isEmail(d.email) { p.email = "Give an email address like name@example.com: we write to you there." }
        if !d.username.isEmpty && !Validation.isUsername(d.username) { p.username = Validation.usernameRule }
        if d.about.isEmpty { p.about = "Tell us a little about your community: who it is for and how you will meet." }
        else if let long = Self.tooLong(d.about, Self.aboutLimit, "This") { p.about = long }
        return p
    }

    /// "A first name can be up to 80 characters; this one has 93." (characters as PostgreSQL counts them)
    static func tooLong(_ text: String, _ limit: Int, _ what: String) -> String? {
        let length = text.unicodeScalars.count
        guard length > limit else { return nil }
        return "\(what) can be up to \(limit.formatted()) characters; this one has \(length.formatted())."
    }

    static func usernameTaken(_ username: String) -> String {
        "The username \(username) is taken. Choose another, or leave it empty if you already have a Mingle account with this email: we can make that account the organizer."
    }

    static let tooMany = "There are already requests waiting from this email address or this network. We will answer those first."
}

/// The console's decision on a request.
enum SiteRequestDecision {
    /// The reason a decline must give, in plain words, or nil.
    static func reasonProblem(_ reason: String) -> String? {
        if reason.isEmpty { return "Say why, in a sentence or two: the requester gets it by email." }
        return SiteRequestForm.tooLong(reason, 2000, "A reason")
    }
}
