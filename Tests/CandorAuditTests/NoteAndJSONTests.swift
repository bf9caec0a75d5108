import Testing
@testable import CandorAudit

@Suite struct SignedNoteTests {
    // The example of the Go note package / C2SP signed-note (an independent implementation).
    static let goVKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    static let goNote =
        "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

    @Test func verifiesTheReferenceNote() throws {
        let key = try NoteVerifierKey(parsing: Self.goVKey)
        #expect(Hex.encode(key.keyID) == "530d903a")
        #expect(key.encoded == Self.goVKey)
        #expect(try SignedNote.open(Self.goNote, key: key).text == "This is an example message.\n")
    }

    @Test func rejectsAlteredNotesAndUnknownKeys() throws {
        let key = try NoteVerifierKey(parsing: Self.goVKey)
        #expect(throws: AuditError.self) {
            try SignedNote.open(Self.goNote.replacingOccurrences(of: "example message", with: "example messagE"), key: key)
        }
        let other = try NoteSigner.generate(name: "example.com/foo")
        let signedByOther = try SignedNote.sign(text: "This is an example message.\n", signer: other)
        #expect(throws: AuditError.self) { try SignedNote.open(signedByOther, key: key) }
        // A vkey whose key id does not match its key is refused.
        #expect(throws: AuditError.self) {
            try NoteVerifierKey(parsing: "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        }
    }

    /// Base64 of keys often contains "+", the vkey field separator: parsing must still work.
    @Test func verifierKeysWithPlusInBase64RoundTrip() throws {
        var withPlus = 0
        for _ in 0..<64 {
            let signer = try NoteSigner.generate(name: "op")
            let text = signer.verifierKey.encoded
            if text.split(separator: "+").count > 3 { withPlus += 1 }
            #expect(try NoteVerifierKey(parsing: text) == signer.verifierKey)
            #expect(try NoteSigner(parsingPrivate: signer.encodedPrivate).verifierKey == signer.verifierKey)
        }
        #expect(withPlus > 0)
    }

    @Test func signsCheckpointsThatRoundTrip() throws {
        let signer = try NoteSigner.generate(name: "candor-log-test")
        let cp = Checkpoint(origin: "candor-log-test/C1/S1", size: 3, root: Merkle.sha256([1, 2, 3]))
        let note = try cp.signed(by: signer)
        #expect(note.hasPrefix("candor-log-test/C1/S1\n3\n"))
        #expect(note.contains("\n\n\u{2014} candor-log-test "))
        #expect(try Checkpoint.open(note, logKey: signer.verifierKey) == cp)
        // Signer key text round-trips.
        let again = try NoteSigner(parsingPrivate: signer.encodedPrivate)
        #expect(again.verifierKey == signer.verifierKey)
    }
}

@Suite struct CanonicalJSONTests {
    @Test func encodesSortedCompactAndMinimallyEscaped() throws {
        let v: AuditJSON = .object([
            "b": .array([1, -2, .null, true, false]),
            "a": .string("q\"\\/\n\t\u{01}\u{7f}é€😀"),
            "A": .object([:]),
            "é": 0,
        ])
        // Expected bytes as produced by Python json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=False).
        let expected = "{\"A\":{},\"a\":\"q\\\"\\\\/\\n\\t\\u0001\u{7f}é€😀\",\"b\":[1,-2,null,true,false],\"é\":0}"
        #expect(CanonicalJSON.encode(v) == Array(expected.utf8))
        #expect(try CanonicalJSON.parse(Array(expected.utf8)) == v)
    }

    @Test func parserRejectsNonIntegersDuplicatesAndTrailingBytes() {
        for bad in ["{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":1,\"a\":2}", "{\"a\":1} x", "{\"a\":\"\\ud800\"}", "[1,]", "{\"a\":01}", ""] {
            #expect(throws: JSONParseError.self, "\(bad)") { try CanonicalJSON.parse(Array(bad.utf8)) }
        }
    }
}
