import Foundation
import Store
import Templating

/// Composes the site's emails in its own brand (name, accent colour, footer) from the
/// `mail/` templates; sending is the outbox's job.
struct Mailer: Sendable {
    let views: Views

    /// `template` names a pair `mail/<template>_text` and `mail/<template>_html`.
    func compose(_ template: String, to: String, subject: String, site: Site, values: [String: Any]) -> OutgoingMail {
        let brand = views.brandModel(site)
        var model = values
        model["brand"] = brand
        model["subject"] = subject
        model["accent"] = AccentColor.readable(site.tenant?.branding.accentColor ?? views.platformBrand.accentColor)
        let tree = TemplateValue(any: model) ?? .object([:])
        let text = views.library.render(tree, template: "mail/\(template)_text") ?? subject
        let html = views.library.render(tree, template: "mail/\(template)_html")
        let fromName = brand["title"]?.text ?? "Mingle"
        return OutgoingMail(to: to, fromName: fromName, subject: subject, text: text, html: html)
    }
}
