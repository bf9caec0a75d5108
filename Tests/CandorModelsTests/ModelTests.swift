import Foundation
import Testing
@testable import CandorModels

@Suite struct ModelFileTests {
    @Test func sha256MatchesFIPSVectors() {
        #expect(SHA256Digest.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256Digest.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256Digest.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func shippedModelsLoadWithTheirHashAndCards() throws {
        let registry = try ModelRegistry.load(directory: Fixture.modelsDir)
        #expect(registry.models.map(\.id) == ["baseline-deviation", "interview-quality"])
        for m in registry.models {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: m.path))
            #expect(m.sha256 == SHA256Digest.hex(bytes))
            #expect(m.sha256.count == 64)
            let card = try #require(registry.card(for: m))
            for heading in ["Intended use", "Out-of-scope", "Data", "Metrics", "Per-group", "Limitations"] {
                #expect(card.contains(heading), "card of \(m.id) lacks '\(heading)'")
            }
            #expect(card.contains("1 in 5"), "card of \(m.id) lacks the base-rate arithmetic")
        }
        #expect(registry.references.map(\.sha256) == registry.models.map(\.sha256))
        _ = try registry.interviewQuality()
        _ = try registry.baselineDeviation()
    }

    @Test func locatePrefersEnvironmentThenWorkingDirectory() throws {
        #expect(ModelRegistry.locate(environment: ["CANDOR_MODELS": "/x/y"], currentDirectory: "/", executablePath: nil) == "/x/y")
        #expect(
            ModelRegistry.locate(environment: [:], currentDirectory: Fixture.packageRoot.path, executablePath: nil)
                == Fixture.packageRoot.appendingPathComponent("models").path)
        let exe = Fixture.packageRoot.appendingPathComponent(".build/debug/candor").path
        #expect(
            ModelRegistry.locate(environment: [:], currentDirectory: "/", executablePath: exe)
                == Fixture.packageRoot.appendingPathComponent("models").path)
    }

    static let shipped: Data = try! Data(contentsOf: URL(fileURLWithPath: Fixture.modelsDir + "/baseline-deviation.json"))

    static func mutated(_ edit: (inout [String: Any]) -> Void) -> Data {
        var obj = try! JSONSerialization.jsonObject(with: shipped) as! [String: Any]
        edit(&obj)
        return try! JSONSerialization.data(withJSONObject: obj)
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("[1,2]", "top level is not a JSON object"),
    ])
    func rejectsMalformedText(text: String, expected: String) {
        do {
            _ = try LoadedModel.load(data: Data(text.utf8), path: "models/bad.json")
            Issue.record("loaded a malformed file")
        } catch let e as ModelInputError {
            #expect(e.description == "models/bad.json: \(expected)")
        } catch { Issue.record("unexpected error \(error)") }
    }

    @Test func rejectsUnknownVersionKindAndBrokenStructure() {
        let cases: [(Data, String)] = [
            (Self.mutated { $0["format_version"] = 2 }, "unknown format_version 2 (this build reads 1)"),
            (Self.mutated { $0.removeValue(forKey: "format_version") }, "missing or non-integer 'format_version'"),
            (Self.mutated { $0["kind"] = "polygraph" }, "unknown model kind 'polygraph'"),
            (Self.mutated { $0.removeValue(forKey: "parameters") }, "missing key 'parameters'"),
            (Self.mutated { $0["features"] = [] }, "no features"),
            (Self.mutated { $0["description"] = "Flags the guilty party" }, "verdict word 'guilty'"),
            (
                Self.mutated {
                    var f = $0["features"] as! [[String: Any]]; f.append(f[0]); $0["features"] = f
                }, "appears twice"
            ),
            (Self.mutated { $0["parameters"] = ["alpha": 0] }, "parameters.alpha must be in (0, 0.5]"),
        ]
        for (data, expected) in cases {
            do {
                _ = try LoadedModel.load(data: data, path: "m.json")
                Issue.record("accepted a file that should fail with '\(expected)'")
            } catch let e as ModelInputError {
                #expect(e.description.hasPrefix("m.json: "))
                #expect(e.description.contains(expected), "\(e.description)")
                #expect(!e.description.contains("\n"))
            } catch { Issue.record("unexpected error \(error)") }
        }
    }

    @Test func directoryWithABadFileFailsNamingIt() throws {
        let dir = try Fixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.shipped.write(to: dir.appendingPathComponent("a.json"))
        try Self.mutated { $0["format_version"] = 9 }.write(to: dir.appendingPathComponent("b.json"))
        #expect(throws: ModelInputError(path: dir.appendingPathComponent("b.json").path, "unknown format_version 9 (this build reads 1)")) {
            try ModelRegistry.load(directory: dir.path)
        }
    }
}

@Suite struct InterviewQualityTests {
    let model = try! ModelRegistry.load(directory: Fixture.modelsDir).interviewQuality()

    @Test func goodPracticeScoresOneWithAllMetricsInRange() {
        let m = ConversationMetrics(
            durationS: 1200, intervieweeTalkShare: 0.75, interviewerInterruptions: 1,
            responseLatenciesS: [0.4, 0.8, 1.2], silencesAfterQuestionsS: [3.5, 4, 5],
            interviewerTurnDurationsS: [5, 8, 12, 40])
        let s = model.score(m)
        #expect(s.value == 1)
        #expect(s.flag == nil && !s.abstained)
        #expect(s.contributions.allSatisfy { $0.status == "in range" })
        #expect(abs(s.contributions.compactMap(\.contribution).reduce(0, +) - 1) < 1e-12)
        #expect(s.contributions.allSatisfy { $0.source != nil && $0.evidence!.contains("practitioner heuristic") })
    }

    @Test func poorPracticeIsScoredByTheDocumentedRule() {
        // talk share 0.45: 0.15 below 0.60 with margin 0.30 → 0.5
        // interruptions 6 in 10 min: 5 above 1 with margin 4 → 0
        // silences median 1.5: 1.5 below 3 with margin 3 → 0.5
        // monologues: 2 turns > 30 s in 10 min = 2: 1.5 above 0.5 with margin 2 → 0.25
        // latency median 1.0: in range → 1
        let m = ConversationMetrics(
            durationS: 600, intervieweeTalkShare: 0.45, interviewerInterruptions: 6,
            responseLatenciesS: [0.5, 1.0, 2.0], silencesAfterQuestionsS: [1, 1.5, 2],
            interviewerTurnDurationsS: [10, 31, 45])
        let s = model.score(m)
        let expected = 0.30 * 0.5 + 0.25 * 0 + 0.20 * 0.5 + 0.15 * 0.25 + 0.10 * 1
        #expect(abs(s.value! - expected) < 1e-12)
        #expect(s.flag == InterviewQualityModel.reviewFlag)
        let byName = Dictionary(uniqueKeysWithValues: s.contributions.map { ($0.feature, $0) })
        #expect(byName["interviewee_talk_share"]?.status == "below range")
        #expect(byName["interviewer_interruptions_per_10min"]?.status == "above range")
        #expect(byName["interviewer_interruptions_per_10min"]?.value == 6)
        #expect(byName["interviewer_monologues_per_10min"]?.value == 2)
        #expect(s.topCues.first == "interviewer_interruptions_per_10min")
    }

    @Test func metricsFromTurns() {
        let turns = [
            Turn(speaker: "I", start: 0, end: 5),  // question 1
            Turn(speaker: "E", start: 5.8, end: 30),  // answer after 0.8 s
            Turn(speaker: "I", start: 12, end: 13),  // interrupts the answer
            Turn(speaker: "I", start: 31, end: 70),  // a 39 s monologue, then waits 1.5 s
            Turn(speaker: "I", start: 71.5, end: 73),  // re-prompt: silence after question = 1.5
            Turn(speaker: "E", start: 72.5, end: 90),  // answer overlapping by 0.5 s
            Turn(speaker: "X", start: 0, end: 100),  // a third party is ignored
        ]
        let m = ConversationMetrics(turns: turns, interviewer: "I", interviewee: "E", durationS: 100)
        #expect(m.interviewerInterruptions == 1)
        // sorted by start: I(0-5) E(5.8) I(12-13) I(31) I(71.5) E(72.5)
        // I(0-5) → E: 0.8; I(12-13) lies inside E's turn: nothing; I(31-70) → I(71.5): silence 1.5;
        // I(71.5-73) → E(72.5): −0.5
        #expect(m.responseLatenciesS.map { ($0 * 1e6).rounded() / 1e6 } == [0.8, -0.5])
        #expect(m.silencesAfterQuestionsS == [1.5])
        #expect(m.interviewerTurnDurationsS == [5, 1, 39, 1.5])
        let talkE = 24.2 + 17.5, talkI = 5 + 1 + 39 + 1.5
        #expect(abs(m.intervieweeTalkShare! - talkE / (talkE + talkI)) < 1e-12)
    }

    @Test func missingMetricsAreExcludedAndNothingMeasuredAbstains() {
        let partial = ConversationMetrics(
            durationS: 600, intervieweeTalkShare: nil, interviewerInterruptions: 0,
            responseLatenciesS: [], silencesAfterQuestionsS: [], interviewerTurnDurationsS: [])
        let s = model.score(partial)
        // interruptions and monologues are measured (both 0, in range); the rest are not available
        #expect(s.value == 1)
        #expect(s.contributions.filter { $0.status == "not available" }.count == 3)
        let none = ConversationMetrics(
            durationS: 0, intervieweeTalkShare: nil, interviewerInterruptions: 0,
            responseLatenciesS: [], silencesAfterQuestionsS: [], interviewerTurnDurationsS: [])
        let a = model.score(none)
        #expect(a.abstained && a.value == nil && a.reason != nil)
    }
}

@Suite struct ClaimsPolicyTests {
    @Test func detectsVerdictWordsAsWholeWords() {
        #expect(ClaimsPolicy.firstVerdictWord(in: ["He LIED."]) == "lied")
        #expect(ClaimsPolicy.firstVerdictWord(in: ["not guilty"]) == "guilty")
        #expect(ClaimsPolicy.firstVerdictWord(in: ["earlier, applied, believe, deception research"]) == nil)
    }

    @Test func outputsAndCardsContainNoVerdictWords() throws {
        let registry = try ModelRegistry.load(directory: Fixture.modelsDir)
        var texts: [String] = []
        for m in registry.models {
            texts.append(try String(contentsOfFile: m.path, encoding: .utf8))
            texts.append(try #require(registry.card(for: m)))
        }
        let encoder = JSONEncoder()
        let iq = try registry.interviewQuality().score(
            ConversationMetrics(
                durationS: 600, intervieweeTalkShare: 0.3, interviewerInterruptions: 9, responseLatenciesS: [4],
                silencesAfterQuestionsS: [0.5], interviewerTurnDurationsS: [60]))
        let bd = try registry.baselineDeviation().score(segments: [
            SegmentFeatures(id: "b1", speaker: "A", role: .baseline, features: ["f0_mean_st": 10, "pause_ratio": 0.1, "hnr_db": 12]),
            SegmentFeatures(id: "b2", speaker: "A", role: .baseline, features: ["f0_mean_st": 11, "pause_ratio": 0.2, "hnr_db": 13]),
            SegmentFeatures(id: "b3", speaker: "A", role: .baseline, features: ["f0_mean_st": 12, "pause_ratio": 0.15, "hnr_db": 12.5]),
            SegmentFeatures(id: "a1", speaker: "A", role: .answer, features: ["f0_mean_st": 60, "pause_ratio": 0.5, "hnr_db": 8]),
            SegmentFeatures(id: "a2", speaker: "C", role: .answer, features: ["f0_mean_st": 16]),
        ])
        texts.append(String(decoding: try encoder.encode([iq] + bd), as: UTF8.self))
        let model = try Trainer.train(TrainingTests.table(), options: TrainingOptions())
        texts.append(String(decoding: try model.encoded(), as: UTF8.self))
        texts.append(model.evaluation!.renderText())
        let card = ModelCardDraft.markdown(for: model, sha256: "00")
        for heading in ["Intended use", "Out-of-scope", "Data", "Metrics", "Per-group", "Limitations", "1 in 5"] {
            #expect(card.contains(heading), "drafted card lacks '\(heading)'")
        }
        texts.append(card)
        #expect(ClaimsPolicy.firstVerdictWord(in: texts) == nil)
        #expect(bd[0].flag == ModelScore.followUpFlag && bd[1].abstained)
    }

    @Test func scoreJSONHasTheContractKeysWithExplicitNulls() throws {
        let s = ModelScore(
            model: "m", modelVersion: "1", modelSHA256: "ab", target: "a1", value: nil, flag: nil,
            contributions: [], abstained: true, reason: "no baseline")
        let obj = try JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as! [String: Any]
        for key in ["model", "model_version", "model_sha256", "target", "value", "flag", "contributions", "abstained", "reason"] {
            #expect(obj.keys.contains(key), "missing \(key)")
        }
        #expect(obj["value"] is NSNull)
        let back = try JSONDecoder().decode(ModelScore.self, from: JSONEncoder().encode(s))
        #expect(back == s)
    }
}

@Suite struct InputTests {
    @Test(arguments: [
        ("id,speaker,group,label\n", "1: missing column 'score'"),
        ("id,speaker,group,label,score\na,s,g,2,0.5\n", "2: label '2' is not 0 or 1"),
        ("id,speaker,group,label,score\na,s,g,1,0.5\nb,s,g,0,abc\n", "3: score 'abc' is not a number"),
        ("id,speaker,group,label,score\na,s,g,1,1.5\n", "2: score 1.5 is outside [0, 1]"),
        ("id,speaker,group,label,score\na,s,g,1\n", "2: 4 fields, header has 5"),
        ("id,speaker,group,label,score\n", "no data rows"),
        ("id,speaker,group,label,score\n\"a,s,g,1,0.5\n", "2: unterminated quoted field"),
    ])
    func badScoresFilesNameFileAndLine(text: String, expected: String) throws {
        let dir = try Fixture.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ScoresTable.read(path: path)
            Issue.record("accepted bad input")
        } catch let e as ModelInputError {
            #expect(e.description.hasPrefix(path + ":"))
            #expect(e.description.contains(expected), "\(e.description)")
        }
    }

    @Test func featureTableParsesMissingValuesAndRejectsText() throws {
        let t = try LabelledTable.parse("id,speaker,group,label,a,b\n1,s1,g,0,1.5,\n2,s2,g,1,NA,2\n", path: "t.csv")
        #expect(t.rows == [[1.5, nil], [nil, 2]])
        #expect(throws: ModelInputError(path: "t.csv", line: 2, "a = 'x' is not a number")) {
            try LabelledTable.parse("id,speaker,group,label,a\n1,s1,g,0,x\n", path: "t.csv")
        }
    }
}
