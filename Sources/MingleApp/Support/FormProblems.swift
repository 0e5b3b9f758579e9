/// What is wrong with a submitted form, field by field (issue 14, "one error style"): every
/// problem is shown beside its field (`.field-error`, the field `aria-invalid` and described by
/// it) and listed above the form with a link to the field, all at once.
///
/// In a template, `{{#page.problems.any}}` guards the summary (`partials/form_problems`), and
/// `{{#page.problems.title}}…{{/page.problems.title}}` the words beside the field named `title`.
struct FormProblems: Encodable, Equatable, Sendable {
    struct Problem: Encodable, Equatable, Sendable {
        /// The `id` of the field it is about (the summary links to it); empty for the whole form.
        var field: String
        var message: String
    }

    private(set) var list: [Problem] = []

    init() {}

    var isEmpty: Bool { list.isEmpty }
    var messages: [String] { list.map(\.message) }

    /// The problem with `field`, if any.
    subscript(field: String) -> String? { list.first { $0.field == field }?.message }

    /// A problem of the whole form (it can no longer be changed, too many tries): listed, not placed.
    mutating func add(_ message: String) { list.append(Problem(field: "", message: message)) }

    /// Records a problem; a second one about the same field is joined to the first.
    mutating func add(_ field: String, _ message: String) {
        if let index = list.firstIndex(where: { $0.field == field && !field.isEmpty }) {
            list[index].message += " " + message
        } else {
            list.append(Problem(field: field, message: message))
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(!list.isEmpty, forKey: Key(stringValue: "any"))
        try container.encode(list, forKey: Key(stringValue: "list"))
        for problem in list where !problem.field.isEmpty && problem.field != "any" && problem.field != "list" {
            try container.encode(problem.message, forKey: Key(stringValue: problem.field))
        }
    }
}
