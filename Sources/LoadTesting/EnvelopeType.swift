/// The `type` of a frame from Mingle without parsing its JSON: the server writes envelopes
/// with sorted keys, so the top-level `"type"` comes after `"data"` and is the last one in
/// the text (a payload may hold `"type"` keys of its own, always before it).
public enum EnvelopeType {
    private static let key = Array(#""type":""#.utf8)

    public static func of<Bytes: BidirectionalCollection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        let text = Array(bytes)
        guard text.count > key.count else { return nil }
        var start = text.count - key.count
        while start >= 0 {
            if text[start] == key[0], text[start..<(start + key.count)].elementsEqual(key) {
                let from = start + key.count
                guard let end = text[from...].firstIndex(of: UInt8(ascii: "\"")), end > from else { return nil }
                return String(decoding: text[from..<end], as: UTF8.self)
            }
            start -= 1
        }
        return nil
    }

    /// Whether `needle` occurs in `bytes`.
    public static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        bytes.firstRange(of: needle) != nil
    }
}
