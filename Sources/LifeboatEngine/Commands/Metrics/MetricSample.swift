/// One sample line of the exposition, for `lifeboat metrics --output json`.
public struct MetricSample: Codable, Sendable, Equatable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    /// Parses `name{key="value",…} number` lines (label values unescaped: \\, \", \n); comments and
    /// anything else are skipped.
    public static func parse(_ exposition: String) -> [MetricSample] {
        var samples: [MetricSample] = []
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let head = line[..<space]
            guard let brace = head.firstIndex(of: "{"), head.hasSuffix("}") else {
                samples.append(MetricSample(name: String(head), labels: [:], value: value))
                continue
            }
            var labels: [String: String] = [:]
            var key = "", current = ""
            var inValue = false, escaped = false
            for character in head[head.index(after: brace)..<head.index(before: head.endIndex)] {
                if inValue {
                    if escaped {
                        current.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        labels[key] = current
                        key = ""
                        current = ""
                        inValue = false
                    } else {
                        current.append(character)
                    }
                } else if character == "\"" {
                    inValue = true
                } else if character != "=" && character != "," {
                    key.append(character)
                }
            }
            samples.append(MetricSample(name: String(head[..<brace]), labels: labels, value: value))
        }
        return samples.sorted { ($0.name, $0.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined()) < ($1.name, $1.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined()) }
    }
}
