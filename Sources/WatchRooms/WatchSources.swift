import Foundation

// What a person may give as a video: a direct link to a file or a YouTube link (an uploaded
// file comes through the room's upload instead). Pure: what is accepted, and what a YouTube
// link's video id is.

extension WatchSource {
    /// A link typed into the room: YouTube's (youtube.com/watch?v=…, youtu.be/…, /embed/…,
    /// /shorts/…, /live/…, m. and music. hosts) or a direct http(s) link to a video file; nil for
    /// anything else (another scheme, no host, credentials in it, a YouTube page that names no
    /// video).
    public static func parse(_ typed: String) -> WatchSource? {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= 2000, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil, let url = components.url
        else { return nil }
        if let id = youtubeID(host: host, components: components) { return .youtube(id) }
        if youtubeHosts.contains(host) { return nil }
        return .link(url)
    }

    static let youtubeHosts: Set<String> = ["youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be",
                                            "www.youtube-nocookie.com", "youtube-nocookie.com"]

    static func youtubeID(host: String, components: URLComponents) -> String? {
        guard youtubeHosts.contains(host) else { return nil }
        let parts = components.path.split(separator: "/").map(String.init)
        let candidate: String?
        if host == "youtu.be" {
            candidate = parts.first
        } else if parts.first == "watch" {
            candidate = components.queryItems?.first { $0.name == "v" }?.value
        } else if parts.count >= 2, ["embed", "shorts", "live", "v"].contains(parts[0]) {
            candidate = parts[1]
        } else {
            candidate = nil
        }
        guard let id = candidate, isYouTubeID(id) else { return nil }
        return id
    }

    /// Eleven characters of the URL-safe base64 alphabet.
    public static func isYouTubeID(_ id: String) -> Bool {
        id.count == 11 && id.unicodeScalars.allSatisfy { CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").contains($0) }
    }

    /// A title when the person gave none: the file's name, or "YouTube video".
    public var suggestedTitle: String {
        switch self {
        case .file: return "Video"
        case .youtube: return "YouTube video"
        case .link(let url):
            let name = url.deletingPathExtension().lastPathComponent.removingPercentEncoding ?? ""
            return name.isEmpty || name == "/" ? (url.host ?? "Video") : String(name.prefix(80))
        }
    }
}
