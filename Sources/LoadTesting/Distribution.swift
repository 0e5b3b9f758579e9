/// Figures of a set of measurements (milliseconds, bytes…): pure, for the load report.
public struct Distribution: Sendable, Equatable {
    public let count: Int
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let max: Double
    public let mean: Double

    /// nil for no values. Percentiles by the nearest-rank method: the smallest value with at
    /// least p % of the values at or below it, so p99 of 1,000 values is the 990th.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        p50 = Self.rank(0.50, sorted)
        p90 = Self.rank(0.90, sorted)
        p99 = Self.rank(0.99, sorted)
        max = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
    }

    private static func rank(_ p: Double, _ sorted: [Double]) -> Double {
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }
}
