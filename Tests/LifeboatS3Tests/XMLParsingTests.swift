import Testing
@testable import LifeboatS3

@Suite("S3 XML replies")
struct XMLParsingTests {
    @Test func listObjectsV2PageWithPrefixesAndContinuation() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>lifeboat</Name><Prefix>demo/</Prefix><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>
              <IsTruncated>true</IsTruncated>
              <Contents><Key>demo/stanza.json</Key><LastModified>2026-11-21T13:07:59.123Z</LastModified>
                <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>412</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>demo/a &amp; b &lt;c&gt; caf&#233; &#x41;</Key><LastModified>2026-11-21T13:08:00.000Z</LastModified>
                <ETag>"x-2"</ETag><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>demo/archive/</Prefix></CommonPrefixes>
              <CommonPrefixes><Prefix>demo/backup/</Prefix></CommonPrefixes>
              <KeyCount>4</KeyCount>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """
        let page = try ListObjectsPage.decode(Array(xml.utf8))
        #expect(page.objects.map(\.key) == ["demo/stanza.json", "demo/a & b <c> café A"])
        #expect(page.objects.map(\.size) == [412, 0])
        #expect(page.objects[0].eTag == "\"9b2cf535f27731c974343645a3985328\"")
        #expect(page.commonPrefixes == ["demo/archive/", "demo/backup/"])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        #expect(S3Time.iso8601(page.objects[0].lastModified)?.timeIntervalSince1970 == 1_795_266_479)
    }

    @Test func lastPageAndEmptyListing() throws {
        let empty = try ListObjectsPage.decode(Array("<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>".utf8))
        #expect(empty.objects.isEmpty && empty.commonPrefixes.isEmpty && !empty.isTruncated)
    }

    @Test func truncatedPageWithoutTokenIsRefused() {
        #expect(throws: XMLDocumentParser.Failure.self) {
            try ListObjectsPage.decode(Array("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>".utf8))
        }
    }

    @Test func errorBodies() {
        let slowDown = S3ErrorBody.decode(Array("""
            <?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>tx1</RequestId></Error>
            """.utf8))
        #expect(slowDown == S3ErrorBody(code: "SlowDown", message: "Please reduce your request rate."))
        #expect(S3ErrorBody.decode([]) == nil)
        #expect(S3ErrorBody.decode(Array("<html><body>bad gateway</body></html>".utf8)) == nil)
    }

    @Test func unfinishedUploadListings() throws {
        let first = """
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket>
            <IsTruncated>true</IsTruncated><NextKeyMarker>p/backup/x</NextKeyMarker><NextUploadIdMarker>2~u2</NextUploadIdMarker>
            <Upload><Key>p/backup/w</Key><UploadId>2~u1</UploadId><Initiated>2026-11-21T17:00:00.000Z</Initiated></Upload>
            <Upload><Key>p/backup/x</Key><UploadId>2~u2</UploadId><Initiated>2026-11-21T17:01:00.000Z</Initiated></Upload>
            </ListMultipartUploadsResult>
            """
        let page = try ListMultipartUploadsPage.decode(Array(first.utf8))
        #expect(page.uploads.map(\.key) == ["p/backup/w", "p/backup/x"])
        #expect(page.uploads.map(\.uploadID) == ["2~u1", "2~u2"])
        #expect(page.next?.key == "p/backup/x" && page.next?.uploadID == "2~u2")
        let last = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"
        #expect(try ListMultipartUploadsPage.decode(Array(last.utf8)) == ListMultipartUploadsPage(uploads: [], next: nil))
        // A truncated page that does not say where to go on would loop forever or stop early: refused.
        let endless = "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>"
        #expect(throws: XMLDocumentParser.Failure.self) { try ListMultipartUploadsPage.decode(Array(endless.utf8)) }
        let noID = "<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>"
        #expect(throws: XMLDocumentParser.Failure.self) { try ListMultipartUploadsPage.decode(Array(noID.utf8)) }
    }

    @Test func multipartReplies() throws {
        let initiated = """
            <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key>
            <UploadId>2~hk7Z4qJ0yI6xT_aBc</UploadId></InitiateMultipartUploadResult>
            """
        #expect(try InitiateMultipartUploadResult.uploadID(Array(initiated.utf8)) == "2~hk7Z4qJ0yI6xT_aBc")
        #expect(throws: XMLDocumentParser.Failure.self) { try InitiateMultipartUploadResult.uploadID(Array("<Other/>".utf8)) }

        let done = "<CompleteMultipartUploadResult><Location>l</Location><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>"
        #expect(CompleteMultipartUpload.replyError(Array(done.utf8)) == nil)
        // S3 can answer 200 and report the failure in the body.
        let failed = "<Error><Code>InternalError</Code><Message>try again</Message></Error>"
        #expect(CompleteMultipartUpload.replyError(Array(failed.utf8))?.code == "InternalError")
        #expect(CompleteMultipartUpload.replyError(Array("garbage".utf8)) != nil)

        let body = String(decoding: CompleteMultipartUpload.requestBody(etags: ["\"a\"", "\"b\""]), as: UTF8.self)
        #expect(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><PartNumber>2</PartNumber>"))
        let reparsed = try XMLDocumentParser.parse(Array(body.utf8))
        #expect(reparsed.all("Part").map { $0.value("ETag") } == ["\"a\"", "\"b\""])
    }

    @Test func malformedDocumentsAreRefused() {
        for text in ["", "<a>", "<a></b>", "<a>&bogus;</a>", "<a/><b/>", "<a x></a>", "plain text", "<a><![CDATA[x</a>"] {
            #expect(throws: XMLDocumentParser.Failure.self, "\(text)") { try XMLDocumentParser.parse(Array(text.utf8)) }
        }
    }

    @Test func cdataCommentsAndSelfClosingTags() throws {
        let root = try XMLDocumentParser.parse(Array("<!-- c --><r><a/><b><![CDATA[<raw> & ]]></b><!-- x --><s3:c>t</s3:c></r>".utf8))
        #expect(root.children.map(\.name) == ["a", "b", "c"])
        #expect(root.value("b") == "<raw> & ")
        #expect(root.value("c") == "t")
    }

    @Test func httpDates() {
        #expect(S3Time.httpDate("Sat, 21 Nov 2026 13:07:59 GMT")?.timeIntervalSince1970 == 1_795_266_479)
        #expect(S3Time.httpDate("nonsense") == nil)
        #expect(S3Time.iso8601("2000-02-29T00:00:00Z")?.timeIntervalSince1970 == 951_782_400)
    }
}
