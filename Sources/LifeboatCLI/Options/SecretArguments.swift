/// Options that carry secrets and are therefore never accepted as command-line flags: arguments show in
/// `ps`, in shell history and in PostgreSQL's archive_command. Checked before parsing so the refusal
/// never echoes the value (ArgumentParser would print the unexpected argument).
enum SecretArguments {
    /// `--repo-cipher-pass`, `--repo2-cipher-pass`, … (the `-file` variants are paths, not secrets).
    static let secretSuffixes = ["-cipher-pass", "-cipher-pass-new", "-s3-key", "-s3-key-secret", "-s3-token"]

    /// The offending option's name (never its value), or nil.
    static func firstSecretFlag(in arguments: [String]) -> String? {
        for argument in arguments {
            guard argument.hasPrefix("--repo") else { continue }
            let name = String(argument.dropFirst(2).prefix { $0 != "=" })
            let rest = name.dropFirst(4).drop { $0.isNumber }
            if secretSuffixes.contains(String(rest)) { return name }
        }
        return nil
    }
}
