import Foundation
import Hummingbird
import Store

/// The organizer defines the fields of their members' profiles.
struct OrganizerProfileController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let portal = router.group("/organize/profile", context: OrganizerRequestContext.self)
        portal.get("", use: sections)
        portal.post("/sections", use: add)
        portal.post("/sections/:id", use: update)
        portal.post("/sections/:id/up", use: moveUp)
        portal.post("/sections/:id/down", use: moveDown)
        portal.post("/sections/:id/delete", use: delete)
    }

    @Sendable func sections(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let sections = try await app.asOrganizer(context, action: "view profile sections") { try await $0.profileSections() }
        return try page(context, sections: sections, errors: [], draft: SectionForm())
    }

    private func page(_ context: OrganizerRequestContext, sections: [ProfileSection], errors: [String], draft: SectionForm,
                      status: HTTPResponse.Status = .ok) throws -> Response {
        try app.views.page("organize/profile_sections", context, title: "Profile sections",
                           model: ProfileSectionsModel(sections: sections, errors: errors, draft: draft), status: status)
    }

    @Sendable func add(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let form = SectionForm(context.form)
        let tenant = context.tenant.id
        guard form.problems().isEmpty, let section = form.section(id: UUID()) else {
            let sections = try await app.asOrganizer(context, action: "view profile sections") { try await $0.profileSections() }
            return try page(context, sections: sections, errors: form.problems(), draft: form, status: .unprocessableContent)
        }
        try await app.asOrganizer(context, action: "add profile section") { try await $0.insertProfileSection(tenant: tenant, section) }
        return app.redirect(to: "/organize/profile", flash: "Section “\(section.label)” added.")
    }

    /// Saves a changed definition; answers that no longer fit it are removed, the rest kept.
    @Sendable func update(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let id = try sectionID(context)
        let form = SectionForm(context.form)
        guard form.problems().isEmpty, let section = form.section(id: id) else {
            let sections = try await app.asOrganizer(context, action: "view profile sections") { try await $0.profileSections() }
            // Another tenant's section is not found, whatever the form holds.
            guard sections.contains(where: { $0.id == id }) else { throw HTTPError(.notFound, message: Self.gone) }
            return try page(context, sections: sections, errors: form.problems(), draft: SectionForm(), status: .unprocessableContent)
        }
        let dropped = try await app.asOrganizer(context, action: "change profile section") { tx -> Int? in
            guard try await tx.updateProfileSection(section) else { return nil }
            var dropped = 0
            for answer in try await tx.answers(section: id) where !ProfileRules.fits(answer.value, section) {
                try await tx.deleteAnswer(user: answer.user, section: id)
                dropped += 1
            }
            return dropped
        }
        guard let dropped else { throw HTTPError(.notFound, message: Self.gone) }
        let note = switch dropped {
        case 0: "Every existing answer still fits."
        case 1: "1 answer no longer fits and was removed."
        default: "\(dropped) answers no longer fit and were removed."
        }
        return app.redirect(to: "/organize/profile", flash: "Section “\(section.label)” saved. \(note)")
    }

    @Sendable func moveUp(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await move(context, by: -1)
    }

    @Sendable func moveDown(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await move(context, by: 1)
    }

    private func move(_ context: OrganizerRequestContext, by step: Int) async throws -> Response {
        let id = try sectionID(context)
        guard try await app.asOrganizer(context, action: "reorder profile sections", { try await $0.moveProfileSection(id, by: step) }) else {
            throw HTTPError(.notFound, message: Self.gone)
        }
        return app.redirect(to: "/organize/profile")
    }

    @Sendable func delete(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let id = try sectionID(context)
        // Another tenant's section (or one already gone) is not found: no success message for it.
        guard try await app.asOrganizer(context, action: "delete profile section", { try await $0.deleteProfileSection(id) }) else {
            throw HTTPError(.notFound, message: Self.gone)
        }
        return app.redirect(to: "/organize/profile", flash: "Section deleted, with its answers.")
    }

    /// What every route of a section answers when the tenant has no such section.
    private static let gone = "That section no longer exists."

    private func sectionID(_ context: OrganizerRequestContext) throws -> UUID {
        try context.parameters.rowID(notFound: Self.gone)
    }
}

/// A profile section as the organizer edits it.
struct SectionForm {
    var label = ""
    var kind = ProfileSection.Kind.shortText.rawValue
    var options = ""
    var required = false
    var headline = false

    init() {}

    init(_ section: ProfileSection) {
        label = section.label
        kind = section.kind.rawValue
        options = section.options.joined(separator: "\n")
        required = section.required
        headline = section.headline
    }

    init(_ form: FormData) {
        label = form.text("label")
        kind = form.text("kind")
        options = form.text("options")
        required = form["required"] == "on"
        headline = form["headline"] == "on"
    }

    var optionList: [String] {
        options.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func problems() -> [String] {
        var errors: [String] = []
        if label.isEmpty || label.unicodeScalars.count > 80 { errors.append("Give the section a label of 1–80 characters.") }
        guard let kind = ProfileSection.Kind(rawValue: kind) else { return errors + ["Choose what kind of answer the section takes."] }
        if kind == .choice {
            let list = optionList
            if list.count < 2 { errors.append("A choice needs at least two options, one per line.") }
            if list.count > 30 { errors.append("A choice can have at most 30 options.") }
            if Set(list).count != list.count { errors.append("Each option must be different.") }
            if list.contains(where: { $0.unicodeScalars.count > 200 }) { errors.append("An option can be at most 200 characters.") }
        }
        return errors
    }

    func section(id: UUID) -> ProfileSection? {
        guard let kind = ProfileSection.Kind(rawValue: kind) else { return nil }
        return ProfileSection(id: id, label: label, kind: kind, options: kind == .choice ? optionList : [],
                              required: required, headline: headline)
    }
}
