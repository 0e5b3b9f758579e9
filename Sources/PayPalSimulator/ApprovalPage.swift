/// The simulated PayPal's pages for the payer: plain HTML, no scripts, clearly not the real PayPal.
enum ApprovalPage {
    static func render(_ order: SimulatorState.Order) -> String {
        let id = escape(order.id)
        var body = """
            <p class="amount">\(escape(order.amount.value)) \(escape(order.amount.currencyCode))</p>
            \(order.description.map { "<p class=\"description\">\(escape($0))</p>" } ?? "")
            <p class="order">Order \(id)</p>
            """
        if order.status == "COMPLETED" {
            body += """
                <p>This order has already been paid.</p>
                <p><a href="\(escape(SimulatorState.appending(["token": order.id, "PayerID": SimulatorState.payerID], to: order.returnURL)))">Return to the shop</a></p>
                """
        } else {
            body += """
                <form method="post" action="\(escape(PayPalSimulatorAction.path(orderID: order.id, action: .pay)))">
                  <button type="submit" class="primary">Pay now</button></form>
                <form method="post" action="\(escape(PayPalSimulatorAction.path(orderID: order.id, action: .decline)))">
                  <button type="submit">Pay with a card that will be declined</button></form>
                <form method="post" action="\(escape(PayPalSimulatorAction.path(orderID: order.id, action: .payWithoutReturn)))">
                  <button type="submit">Pay now, but do not return to the shop</button></form>
                <form method="post" action="\(escape(PayPalSimulatorAction.path(orderID: order.id, action: .cancel)))">
                  <button type="submit">Cancel and return</button></form>
                """
        }
        return page(title: "Pay with PayPal (simulated)", body: body)
    }

    static func message(_ text: String) -> String {
        page(title: "PayPal (simulated)", body: "<p class=\"message\">\(escape(text))</p>")
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>\(escape(title))</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
          .banner { background: #ffe8a3; border: 1px solid #d9a400; padding: .5rem .75rem; border-radius: .4rem; }
          .amount { font-size: 2rem; font-weight: 600; margin: 1.5rem 0 .25rem; }
          .order { color: #666; font-size: .9rem; }
          form { margin: .5rem 0; }
          button { width: 100%; padding: .75rem; font-size: 1rem; border-radius: 1.5rem; border: 1px solid #888; background: #fff; cursor: pointer; }
          button.primary { background: #0070ba; color: #fff; border-color: #0070ba; }
        </style>
        </head>
        <body>
        <h1>PayPal (simulated)</h1>
        <p class="banner">Development and tests only: this is not PayPal, and no money moves.</p>
        \(body)
        </body>
        </html>

        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
