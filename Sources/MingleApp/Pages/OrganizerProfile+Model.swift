import Foundation
import Store

/// The profile sections page (`/organize/profile`): each section as an editable form, in
/// order, and the form for a new one (empty, or as typed when it was refused).
struct ProfileSectionsModel: Encodable, Equatable {
    /// One section's form; the new section's has no id.
    struct Section: Encodable, Equatable {
        var id: String?
        var label: String
        var options: String
        var required: Bool
        var headline: Bool
        var kinds: [KindOption]
        var first: Bool
        var last: Bool

        init(_ form: SectionForm, id: UUID?, first: Bool, last: Bool) {
            self.id = id.map { $0.uuidString.lowercased() }
            (label, options, required, headline) = (form.label, form.options, form.required, form.headline)
            kinds = KindOption.list(Self.kindNames.map { ($0.0.rawValue, $0.1) }, selected: form.kind)
            (self.first, self.last) = (first, last)
        }

        static let kindNames: [(ProfileSection.Kind, String)] = [(.shortText, "Short text"), (.longText, "Long text"),
                                                                 (.choice, "One choice from a list"), (.link, "Web link")]
    }

    var sections: [Section]
    var empty: Bool
    var errors: [String]
    var hasErrors: Bool
    var draft: Section

    init(sections: [ProfileSection], errors: [String], draft: SectionForm) {
        self.sections = sections.enumerated().map { index, section in
            Section(SectionForm(section), id: section.id, first: index == 0, last: index == sections.count - 1)
        }
        empty = sections.isEmpty
        (self.errors, hasErrors) = (errors, !errors.isEmpty)
        self.draft = Section(draft, id: nil, first: false, last: false)
    }
}
