/// CSV files for spreadsheets (RFC 4180): UTF-8 with a byte-order mark (so Excel reads the
/// letters right), CRLF line ends, fields quoted when they hold a comma, semicolon (the
/// separator of spreadsheets set up for many European languages, which would otherwise split
/// a field and let a formula start inside it), quote, line break or leading/trailing space,
/// quotes doubled.
///
/// Spreadsheet-safe: a field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// would be run as a formula by Excel, LibreOffice and Google Sheets (CSV injection); such a
/// field is written with a leading apostrophe, which spreadsheets show as text. Numbers Mingle
/// writes itself (counts, means) are never negative, so none of them is changed.
public enum CSV {
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    public static func file(header: [String], rows: [[String]]) -> [UInt8] {
        var text = ""
        for row in [header] + rows {
            text += row.map(field).joined(separator: ",")
            text += "\r\n"
        }
        return byteOrderMark + Array(text.utf8)
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    static let quoted: Set<Unicode.Scalar> = [",", ";", "\"", "\n", "\r"]

    /// Scalars, not Characters: "\r\n" is one Character in Swift.
    public static func field(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, formulaStarts.contains(first) { value = "'" + value }
        let scalars = value.unicodeScalars
        let needsQuotes = scalars.contains { quoted.contains($0) } || scalars.first == " " || scalars.last == " "
        return needsQuotes ? "\"" + value.replacing("\"", with: "\"\"") + "\"" : value
    }
}
