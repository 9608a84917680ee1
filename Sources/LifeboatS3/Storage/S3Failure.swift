import LifeboatCore

/// Turns an S3 reply into one lower-case line naming the path: the status and S3's error code, never a
/// header (so never the signature) and never the secret.
enum S3Failure {
    static func error(_ operation: String, _ path: String, _ response: S3Response, in repository: String) -> LifeboatError {
        var reason = "http \(response.status)"
        if let error = response.error {
            reason += " \(error.code)"
            if !error.message.isEmpty { reason += ": \(error.message.prefix(200))" }
        }
        var hint: String?
        switch response.status {
        case 403: hint = "check repo-s3-key / repo-s3-key-secret (or the AWS credentials) and repo-s3-region"
        case 404 where response.error?.code == "NoSuchBucket": hint = "create the bucket or check repo-s3-bucket"
        case 301, 307: hint = "check repo-s3-region and repo-s3-uri-style"
        default: hint = nil
        }
        return LifeboatError(.repository, "unable to \(operation) '\(path)' in \(repository): \(reason)", hint: hint)
    }
}
