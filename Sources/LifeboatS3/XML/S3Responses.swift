/// The S3 replies Lifeboat reads, decoded from their XML.

/// One page of ListObjectsV2.
public struct ListObjectsPage: Sendable, Equatable {
    public struct Object: Sendable, Equatable {
        public var key: String
        public var size: UInt64
        public var lastModified: String
        public var eTag: String
    }

    public var objects: [Object]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    public var nextContinuationToken: String?

    public static func decode(_ bytes: [UInt8]) throws(XMLDocumentParser.Failure) -> ListObjectsPage {
        let root = try XMLDocumentParser.parse(bytes)
        guard root.name == "ListBucketResult" else {
            throw XMLDocumentParser.Failure(reason: "expected ListBucketResult, got \(root.name)")
        }
        var objects: [Object] = []
        for item in root.all("Contents") {
            guard let key = item.value("Key"), let size = UInt64(item.value("Size") ?? "") else {
                throw XMLDocumentParser.Failure(reason: "a Contents entry lacks Key or Size")
            }
            objects.append(Object(key: key, size: size, lastModified: item.value("LastModified") ?? "", eTag: item.value("ETag") ?? ""))
        }
        let prefixes = root.all("CommonPrefixes").compactMap { $0.value("Prefix") }
        let truncated = root.value("IsTruncated") == "true"
        let token = root.value("NextContinuationToken")
        if truncated && (token ?? "").isEmpty {
            throw XMLDocumentParser.Failure(reason: "a truncated listing has no NextContinuationToken")
        }
        return ListObjectsPage(objects: objects, commonPrefixes: prefixes, isTruncated: truncated, nextContinuationToken: token)
    }
}

/// One page of ListMultipartUploads: uploads started and neither completed nor aborted.
public struct ListMultipartUploadsPage: Sendable, Equatable {
    public struct Upload: Sendable, Equatable {
        public var key: String
        public var uploadID: String
        /// ISO 8601, as the server wrote it.
        public var initiated: String
    }

    public var uploads: [Upload]
    /// Where the next page starts; nil on the last page.
    public var next: (key: String, uploadID: String)?

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.uploads == rhs.uploads && lhs.next?.key == rhs.next?.key && lhs.next?.uploadID == rhs.next?.uploadID
    }

    public static func decode(_ bytes: [UInt8]) throws(XMLDocumentParser.Failure) -> ListMultipartUploadsPage {
        let root = try XMLDocumentParser.parse(bytes)
        guard root.name == "ListMultipartUploadsResult" else {
            throw XMLDocumentParser.Failure(reason: "expected ListMultipartUploadsResult, got \(root.name)")
        }
        var uploads: [Upload] = []
        for item in root.all("Upload") {
            guard let key = item.value("Key"), let id = item.value("UploadId"), !id.isEmpty else {
                throw XMLDocumentParser.Failure(reason: "an Upload entry lacks Key or UploadId")
            }
            uploads.append(Upload(key: key, uploadID: id, initiated: item.value("Initiated") ?? ""))
        }
        var next: (key: String, uploadID: String)?
        if root.value("IsTruncated") == "true" {
            guard let key = root.value("NextKeyMarker"), !key.isEmpty else {
                throw XMLDocumentParser.Failure(reason: "a truncated upload listing has no NextKeyMarker")
            }
            next = (key, root.value("NextUploadIdMarker") ?? "")
        }
        return ListMultipartUploadsPage(uploads: uploads, next: next)
    }
}

/// An S3 error body: `<Error><Code>SlowDown</Code><Message>…</Message></Error>`.
public struct S3ErrorBody: Sendable, Equatable {
    public var code: String
    public var message: String

    /// nil when the body is not an S3 error document (empty, HTML from a proxy…).
    public static func decode(_ bytes: [UInt8]) -> S3ErrorBody? {
        guard let root = try? XMLDocumentParser.parse(bytes), root.name == "Error", let code = root.value("Code") else {
            return nil
        }
        return S3ErrorBody(code: code, message: root.value("Message") ?? "")
    }
}

/// The UploadId of InitiateMultipartUpload.
public enum InitiateMultipartUploadResult {
    public static func uploadID(_ bytes: [UInt8]) throws(XMLDocumentParser.Failure) -> String {
        let root = try XMLDocumentParser.parse(bytes)
        guard root.name == "InitiateMultipartUploadResult", let id = root.value("UploadId"), !id.isEmpty else {
            throw XMLDocumentParser.Failure(reason: "no UploadId in the reply")
        }
        return id
    }
}

/// CompleteMultipartUpload: the request body, and its reply, which can be an error even with status 200.
public enum CompleteMultipartUpload {
    public static func requestBody(etags: [String]) -> [UInt8] {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(escape(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        return Array(xml.utf8)
    }

    /// nil when the reply confirms completion; the error otherwise (S3 may answer 200 then fail in the body).
    public static func replyError(_ bytes: [UInt8]) -> S3ErrorBody? {
        if let error = S3ErrorBody.decode(bytes) { return error }
        guard let root = try? XMLDocumentParser.parse(bytes), root.name == "CompleteMultipartUploadResult" else {
            return S3ErrorBody(code: "MalformedReply", message: "the CompleteMultipartUpload reply is not a result")
        }
        return nil
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
