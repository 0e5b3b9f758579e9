import Foundation

/// A process's CPU time and resident memory, read from `/proc` (Linux).
public struct ProcessSample: Sendable, Equatable {
    /// User + system CPU seconds since the process started.
    public var cpuSeconds: Double
    /// Resident set size in bytes.
    public var residentBytes: Int

    public init(cpuSeconds: Double, residentBytes: Int) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
    }

    /// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`).
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    public static func read(pid: Int32) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let cpu = cpuSeconds(stat: stat, ticksPerSecond: ticksPerSecond),
              let rss = residentBytes(status: status)
        else { return nil }
        return ProcessSample(cpuSeconds: cpu, residentBytes: rss)
    }

    /// utime + stime (fields 14 and 15) of `/proc/<pid>/stat`. The command name (field 2) is in
    /// parentheses and may itself hold spaces and parentheses: fields are counted after the last ')'.
    static func cpuSeconds(stat: String, ticksPerSecond: Double) -> Double? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    /// `VmRSS:   12345 kB` of `/proc/<pid>/status`.
    static func residentBytes(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 3, let kilobytes = Int(parts[1]), parts[2] == "kB" else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
