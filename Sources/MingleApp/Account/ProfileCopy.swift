import Foundation
import Store

/// Copying a person's profile from another community they belong to: which answers carry
/// over. Pure. A section here matches one there when both have the same title (ignoring case
/// and surrounding spaces) and the same kind; an answer is copied only into a section that is
/// still empty here and only if it fits this community's rules (a choice must be one of the
/// options offered here). Nothing already written here is replaced.
struct ProfileCopyPlan: Equatable {
    struct Skipped: Equatable {
        var label: String
        var reason: String
    }

    /// Answers to write here, by this community's section id.
    var answers: [UUID: String] = [:]
    /// Titles of the sections copied, in this community's order.
    var copied: [String] = []
    /// Answers there that were not copied, and why.
    var skipped: [Skipped] = []

    init(source sections: [ProfileSection], answers sourceAnswers: [UUID: String],
         target: [ProfileSection], existing: [UUID: String]) {
        func key(_ label: String) -> String { label.trimmingCharacters(in: .whitespaces).lowercased() }
        var byTitle: [String: ProfileSection] = [:]
        for section in target where byTitle[key(section.label)] == nil { byTitle[key(section.label)] = section }
        var filled: [UUID: String] = [:]
        for section in sections {
            guard let value = sourceAnswers[section.id], !value.isEmpty else { continue }
            guard let here = byTitle[key(section.label)] else {
                skipped.append(Skipped(label: section.label, reason: "no section of that title here"))
                continue
            }
            if here.kind != section.kind {
                skipped.append(Skipped(label: section.label, reason: "here it asks for \(Self.kindName(here.kind)), not \(Self.kindName(section.kind))"))
            } else if let mine = existing[here.id], !mine.isEmpty {
                skipped.append(Skipped(label: section.label, reason: "you have already answered it here"))
            } else if filled[here.id] != nil {
                skipped.append(Skipped(label: section.label, reason: "another section of the same title was copied into it"))
            } else if !ProfileRules.fits(value, here) {
                skipped.append(Skipped(label: section.label, reason: here.kind == .choice
                    ? "“\(value)” is not one of the options here" : "the answer does not fit this section here"))
            } else {
                filled[here.id] = value
            }
        }
        answers = filled
        copied = target.filter { filled[$0.id] != nil }.map(\.label)
    }

    static func kindName(_ kind: ProfileSection.Kind) -> String {
        switch kind {
        case .shortText: "a short text"
        case .longText: "a longer text"
        case .choice: "a choice"
        case .link: "a web address"
        }
    }
}
