import Crypto
import Foundation
import Hummingbird
import Imaging
import Store

/// Member profiles and the people page: only for those who take part in this tenant.
struct ProfileController {
    let app: AppServices
    let images = ImageProcessor()
    static let pageSize = 24

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group(context: MemberRequestContext.self)
        members.get("/profile", use: editForm)
        members.post("/profile", use: save)
        members.get("/people", use: people)
        members.get("/people/:username", use: person)
    }

    /// A profile belongs to a membership: a platform admin looking in has none to edit.
    private func requireMembership(_ context: MemberRequestContext) throws {
        guard context.visitor.role != nil else {
            throw HTTPError(.forbidden, message: "Platform administrators have no profile on a tenant's site.")
        }
    }

    @Sendable func editForm(_ request: Request, context: MemberRequestContext) async throws -> Response {
        try requireMembership(context)
        let user = context.visitor.userID
        let (sections, answers, picture, communities) = try await app.asMember(context, action: "edit profile") { tx in
            let (answers, picture) = (try await tx.profileAnswers(user: user), try await tx.profilePicture(user: user))
            // An empty profile is offered a copy of the one in another community of theirs.
            let communities = answers.isEmpty && picture == nil ? try await tx.accountCommunities() : []
            return (try await tx.profileSections(), answers, picture, communities)
        }
        var model = ProfileEditModel(sections: sections, answers: answers, picture: picture)
        model.copyOffer = ProfileCopyOfferModel(communities, here: context.tenant.id)
        return try app.views.page("profile_edit", context, title: "Your profile", model: model)
    }

    /// Checks every answer and the picture first; saves all or nothing.
    @Sendable func save(_ request: Request, context: MemberRequestContext) async throws -> Response {
        try requireMembership(context)
        let user = context.visitor.userID, tenant = context.tenant.id
        let (sections, current, picture) = try await app.asMember(context, action: "edit profile") { tx in
            (try await tx.profileSections(), try await tx.profileAnswers(user: user), try await tx.profilePicture(user: user))
        }
        var answers: [UUID: String] = [:]
        var problems = FormProblems()
        for section in sections {
            let raw = context.form["section-\(section.id.uuidString.lowercased())"] ?? ""
            let value = section.kind == .longText ? raw.trimmingCharacters(in: .whitespacesAndNewlines)
                                                  : raw.trimmingCharacters(in: .whitespaces)
            if let problem = ProfileRules.problem(value, section) { problems.add(ProfileEditModel.fieldID(section.id), problem) }
            answers[section.id] = value
        }
        // A new file, else the one chosen in a refused try (sent back in `kept_picture`, and
        // processed again like any upload).
        var newPicture: ImageProcessor.Output?
        let upload: [UInt8]? = if let file = context.form.files["picture"], !file.bytes.isEmpty || !file.filename.isEmpty {
            file.bytes
        } else {
            Self.keptPictureBytes(context.form["kept_picture"])
        }
        if let upload {
            do {
                newPicture = try images.process(upload, into: .square(side: 400))
            } catch let error as ImageError {
                problems.add("picture", error.message)
            }
        }
        guard problems.isEmpty else {
            let kept = newPicture.map { "data:\($0.mime);base64,\(Data($0.bytes).base64EncodedString())" }
            return try app.views.page("profile_edit", context, title: "Your profile",
                                      model: ProfileEditModel(sections: sections, answers: current.merging(answers) { $1 }, picture: picture,
                                                              problems: problems, keptPicture: kept),
                                      status: .unprocessableContent)
        }
        let removePicture = context.form["remove_picture"] == "on"
        try await app.asMember(context, action: "save profile") { tx in
            // The answers were checked against these sections; if the organizer changed them
            // meanwhile, saving could keep answers that no longer fit.
            guard try await tx.profileSections(locked: true) == sections else {
                throw HTTPError(.conflict, message: "The organizer changed the profile sections a moment ago. Check your answers and save again.")
            }
            try await tx.saveProfileAnswers(tenant: tenant, user: user, answers)
            if let output = newPicture {
                let digest = SHA256.hash(data: Data(output.bytes)).map { String(format: "%02x", $0) }.joined()
                let image = try await tx.insertImage(tenant: tenant, sha256: digest, mime: output.mime, width: output.width,
                                                     height: output.height, bytes: output.bytes, purpose: .profile)
                try await tx.setProfilePicture(tenant: tenant, user: user, image: image)
            } else if removePicture {
                try await tx.setProfilePicture(tenant: tenant, user: user, image: nil)
            }
        }
        return app.redirect(to: "/people/\(context.visitor.username)", flash: "Your profile is saved.")
    }

    /// The bytes of a `kept_picture` data URL (at most the form's own limit), or nil.
    static func keptPictureBytes(_ value: String?) -> [UInt8]? {
        guard let value, let comma = value.firstIndex(of: ","), value.hasPrefix("data:image/"),
              value[..<comma].hasSuffix(";base64"), let data = Data(base64Encoded: String(value[value.index(after: comma)...]))
        else { return nil }
        return [UInt8](data)
    }

    @Sendable func people(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let search = String((request.queryValue("q") ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        // Bounded before any arithmetic: a huge page number must not overflow.
        let asked = min(max(1, Int(request.queryValue("page") ?? "") ?? 1), 1_000_000)
        let (people, total, pageNumber) = try await app.asMember(context, action: "list people") { tx in
            let first = try await tx.people(search: search, offset: (asked - 1) * Self.pageSize, limit: Self.pageSize)
            let last = max(1, (first.total + Self.pageSize - 1) / Self.pageSize)
            guard asked > last else { return (first.people, first.total, asked) }
            // Past the end: show the last page rather than an empty one.
            let page = try await tx.people(search: search, offset: (last - 1) * Self.pageSize, limit: Self.pageSize)
            return (page.people, page.total, last)
        }
        return try app.views.page("people", context, title: "People",
                                  model: PeopleModel(people: people, search: search, total: total, page: pageNumber, pageSize: Self.pageSize))
    }

    @Sendable func person(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let username = try context.parameters.require("username")
        let me = context.visitor
        let found = try await app.asMember(context, action: "view profile") { tx -> (MemberRecord, [ProfileSection], [UUID: String], UUID?, Connection?)? in
            guard let member = try await tx.member(username: username), member.status == .active else { return nil }
            return (member, try await tx.profileSections(), try await tx.profileAnswers(user: member.user.id),
                    try await tx.profilePicture(user: member.user.id), try await tx.connection(between: me.userID, and: member.user.id))
        }
        guard let (member, sections, answers, picture, connection) = found else {
            throw HTTPError(.notFound, message: "There is no member \(username) here.")
        }
        return try app.views.page("person", context, title: member.user.displayName,
                                  model: PersonModel(member, sections: sections, answers: answers, picture: picture,
                                                     connection: connection, me: me))
    }
}
