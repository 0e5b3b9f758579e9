import Foundation
import Testing
@testable import WatchRooms

@Suite("Watch sources: which links are videos, YouTube ids")
struct WatchSourcesTests {
    @Test("Every shape of YouTube link gives its video id")
    func youtubeLinks() {
        let id = "dQw4w9WgXcQ"
        for link in ["https://www.youtube.com/watch?v=\(id)", "https://youtube.com/watch?feature=share&v=\(id)&t=42",
                     "http://m.youtube.com/watch?v=\(id)", "https://music.youtube.com/watch?v=\(id)", "https://youtu.be/\(id)?t=3",
                     "https://www.youtube.com/embed/\(id)", "https://www.youtube.com/shorts/\(id)", "https://www.youtube.com/live/\(id)",
                     "https://www.youtube-nocookie.com/embed/\(id)", "  https://YOUTU.BE/\(id)  "] {
            #expect(WatchSource.parse(link) == .youtube(id), "\(link)")
        }
    }

    @Test("A YouTube page that names no video, and anything not http(s), are refused")
    func refused() {
        for link in ["https://www.youtube.com/", "https://www.youtube.com/watch?v=short", "https://www.youtube.com/channel/UC123",
                     "https://youtu.be/", "https://youtu.be/dQw4w9WgXc!", "javascript:alert(1)", "ftp://example.com/a.mp4",
                     "file:///etc/passwd", "data:video/mp4;base64,AAAA", "https://user:pass@example.com/a.mp4", "not a link", "",
                     "https://" + String(repeating: "a", count: 2000) + ".com/a.mp4"] {
            #expect(WatchSource.parse(link) == nil, "\(link)")
        }
    }

    @Test("A direct link is kept as given; its title comes from the file's name")
    func directLinks() {
        let source = WatchSource.parse("https://cdn.example.com/talks/Opening%20keynote.mp4?sig=1")
        #expect(source == .link(URL(string: "https://cdn.example.com/talks/Opening%20keynote.mp4?sig=1")!))
        #expect(source?.suggestedTitle == "Opening keynote")
        #expect(WatchSource.parse("https://example.com/")?.suggestedTitle == "example.com")
        #expect(WatchSource.youtube("dQw4w9WgXcQ").suggestedTitle == "YouTube video")
    }
}
