// PayPal simulator: see the PayPalSimulator target comment in Package.swift.
